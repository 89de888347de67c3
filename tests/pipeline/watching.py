"""Running the watcher in a test: a watcher thread over an inbox, and waiting for what it does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.flow import ingest_packet
from pipeline.inbox import Inbox
from pipeline.ingest import IngestResult
from pipeline.settings import get_settings
from pipeline.storage import Store, get_store
from pipeline.watch import Filed, Watcher, WatchOptions


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@contextmanager
def watching(inbox: Inbox, **options: float | int | bool) -> Iterator[tuple[Store, list[Filed]]]:
    """A watcher running in a thread, as ``dossier watch`` runs it, until the block ends."""
    store = get_store(get_settings().database_url)
    filed: list[Filed] = []

    def run_one(path: Path, name: str) -> IngestResult:
        return ingest_packet(str(path), None, str(inbox.reports), name)

    stop = threading.Event()
    watcher = Watcher(inbox, store, run_one, WatchOptions(**options), on_filed=filed.append)  # type: ignore[arg-type]
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    try:
        yield store, filed
    finally:
        stop.set()
        thread.join(timeout=120)
        assert not thread.is_alive()
