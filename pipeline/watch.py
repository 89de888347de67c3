"""``dossier watch``: a long-lived process that takes each complete scan dropped into a folder through one
flow run, and files it in ``done/`` or ``failed/`` exactly once.

- Waking: watchfiles reports changes (``poll=True`` polls instead, for network
  shares that send no events); the folder is also rescanned on every tick, so a
  missed event delays a file by at most one tick.
- Complete files only: see :class:`pipeline.inbox.Settling`.
- Bounded: ``workers`` files are processed at once; the others wait in the
  inbox (the queue holds only their paths), so a burst of hundreds of files
  keeps memory flat.
- Crash-safe: a file is renamed into ``processing/`` before its flow run; a
  restart first finishes everything found there. The database is keyed by the
  scan's SHA-256, so finishing again never makes a second record.
- The database unreachable, or the disk full: the file stays in ``processing/``
  and is retried, with a growing pause; nothing is filed that was not stored.
"""

from __future__ import annotations

import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from models.report import PacketStatus
from pipeline.errors import RetryLaterError
from pipeline.inbox import Inbox, Settling
from pipeline.ingest import IngestResult, reconcile_report_files
from pipeline.storage import StorageUnavailableError, Store

logger = logging.getLogger(__name__)

RETRY_PAUSES = (2.0, 5.0, 15.0, 30.0, 60.0)
"""Seconds before retrying a file whose run could not be stored; the last pause repeats."""
MAX_ATTEMPTS_ON_ERROR = 3
"""Runs of a file that raised something other than an unreachable database, before it is failed."""

Ingest = Callable[[Path, str], IngestResult]
"""Runs one claimed file (path in ``processing/``, name it was dropped under) through the ingest flow."""


@dataclass(frozen=True)
class Filed:
    """A file that left ``processing/``: where it went and what became of it."""

    name: str
    destination: Path
    result: IngestResult | None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return _failed(self.result)


@dataclass(order=True)
class _Retry:
    due: float
    claimed: Path = field(compare=False)
    attempt: int = field(compare=False)


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher runs.

    Attributes:
        workers: Files processed at once (each one flow run; OCR uses its own threads inside).
        settle: Seconds a file's size and time must stay unchanged before it is taken.
        tick: Seconds between rescans of the folder.
        poll: Poll the folder instead of waiting for file-system events (network shares).
        once: Finish what is there (and what a stopped run left), then return.
    """

    workers: int = 1
    settle: float = 5.0
    tick: float = 1.0
    poll: bool = False
    once: bool = False


class Watcher:
    """Takes the files of an inbox through ``ingest`` and files them; see the module's docstring."""

    def __init__(
        self,
        inbox: Inbox,
        store: Store,
        ingest: Ingest,
        options: WatchOptions,
        on_filed: Callable[[Filed], None] | None = None,
    ) -> None:
        self.inbox, self.store, self.ingest, self.options = inbox, store, ingest, options
        self.on_filed = on_filed
        self._queue: queue.Queue[tuple[Path, int] | None] = queue.Queue()
        self._queued: set[Path] = set()  # queued and not yet taken: a rescan must not queue them again
        self._outstanding = 0  # files queued, being processed or waiting for a retry
        self._retries: list[_Retry] = []
        self._lock = threading.Lock()
        self._settling = Settling(options.settle)

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set (or, with ``once``, until nothing is left); workers finish their file."""
        self.inbox.prepare()
        try:
            rewritten = reconcile_report_files(self.store)
            if rewritten:
                logger.warning("%d report files rewritten from the database", rewritten)
        except StorageUnavailableError as exc:  # the files wait; the check is made again at the next start
            logger.warning("report files not checked against the database: %s", exc)
        for claimed in self.inbox.claimed():
            logger.info("finishing %s, left in processing/ by an earlier run", claimed.name)
            self._enqueue(claimed, attempt=1)
        workers = [
            threading.Thread(target=self._work, name=f"dossier-worker-{n}", daemon=True)
            for n in range(self.options.workers)
        ]
        for worker in workers:
            worker.start()
        try:
            for _wake_up in self._wake_ups(stop):
                self._scan()
                if self.options.once and self._idle():
                    break
        finally:
            for _ in workers:
                self._queue.put(None)
            for worker in workers:
                worker.join()

    def _wake_ups(self, stop: threading.Event) -> Iterator[object]:
        """watchfiles' batches of changes (or timeouts); plain ticks for the rest of the run should it fail.

        watchfiles raises, and cannot go on, on a path it cannot decode (a GBK-named file on Linux); the rescan on
        every tick finds the files without any event.
        """
        try:
            yield from watchfiles.watch(
                self.inbox.root,
                stop_event=stop,
                yield_on_timeout=True,
                rust_timeout=int(self.options.tick * 1000),
                force_polling=self.options.poll,
                poll_delay_ms=int(self.options.tick * 1000),
                debounce=200,
                raise_interrupt=False,
            )
        except RuntimeError as exc:  # watchfiles' WatchfilesRustInternalError
            logger.warning("file-system events lost (%s); rescanning every %.1f s instead", exc, self.options.tick)
            while not stop.wait(self.options.tick):
                yield None

    def _scan(self) -> None:
        for path in self._settling.ready(self.inbox.dropped()):
            self._enqueue(path, attempt=1)
        now = time.monotonic()
        with self._lock:
            while self._retries and self._retries[0].due <= now:
                retry = heapq.heappop(self._retries)
                self._queue.put((retry.claimed, retry.attempt))

    def _enqueue(self, path: Path, attempt: int) -> None:
        with self._lock:
            if path in self._queued:
                return
            self._queued.add(path)
            self._outstanding += 1
        self._queue.put((path, attempt))

    def _idle(self) -> bool:
        with self._lock:
            busy = self._outstanding > 0
        return not busy and next(iter(self.inbox.dropped()), None) is None

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            path, attempt = item
            retry_path, done = path, False
            try:
                claimed = self._claim(path)
                if claimed is None:
                    done = True  # gone before it could be taken, or already filed
                else:
                    retry_path = claimed
                    done = self._process(claimed, attempt)
            except Exception:  # the worker must survive anything; the file stays where it is and is retried
                logger.exception("unexpected error on %s", path)
            with self._lock:
                self._queued.discard(path)
                if done:
                    self._outstanding -= 1
                else:
                    pause = RETRY_PAUSES[min(attempt, len(RETRY_PAUSES)) - 1]
                    heapq.heappush(self._retries, _Retry(time.monotonic() + pause, retry_path, attempt + 1))

    def _claim(self, path: Path) -> Path | None:
        """The file in ``processing/`` (taken now if it is still in the inbox), or None when it is gone."""
        claimed = path if path.is_relative_to(self.inbox.processing) else self.inbox.claim(path)
        return claimed if claimed is not None and (claimed.exists() or claimed.is_symlink()) else None

    def _process(self, claimed: Path, attempt: int) -> bool:
        """Run one claimed file and file it; False when it stays in ``processing/`` to be retried."""
        name = self.inbox.name_of(claimed)
        if claimed.is_symlink():
            self._file(claimed, name, None, "符号链接不予处理 (a symbolic link is refused, never followed)")
            return True
        try:
            result = self.ingest(claimed, name)
        except RetryLaterError as exc:  # the database unreachable, the disk full
            logger.warning("%s: %s; it stays in processing/ and is retried", name, exc)
            return False
        except OSError as exc:  # unreadable; or a pipe or device, which sha256_file refuses without reading
            self._file(claimed, name, None, f"无法读取文件 (cannot read the file: {exc})")
            return True
        except Exception as exc:
            if attempt < MAX_ATTEMPTS_ON_ERROR:
                logger.exception("%s: run %d failed; retrying", name, attempt)
                return False
            self._file(claimed, name, None, f"处理失败 (internal error after {attempt} runs: {exc})")
            return True
        self._file(claimed, name, result, None)
        return True

    def _file(self, claimed: Path, name: str, result: IngestResult | None, error: str | None) -> None:
        failed = _failed(result)
        lines = [error] if error else (result.errors if result is not None else [])
        error_text = "\n".join([f"{name}", *lines, _report_line(result)]) + "\n" if failed else None
        destination = self.inbox.file_away(claimed, failed, error_text)
        try:
            if result is not None:
                self.store.set_path(result.packet_id, destination)
            else:
                self.store.audit("system", "drop.refused", None, reason=error or "")
        except StorageUnavailableError as exc:  # the record itself is stored; only where the scan lies is not
            logger.warning("%s filed in %s, but the database could not note it: %s", name, destination.parent, exc)
        filed = Filed(name=name, destination=destination, result=result, error=error)
        logger.info("%s -> %s", name, destination.parent.name)
        if self.on_filed is not None:
            self.on_filed(filed)


def _failed(result: IngestResult | None) -> bool:
    """Whether a file belongs in failed/: not processed at all, or its report is ``failed``."""
    return result is None or result.status == PacketStatus.FAILED


def _report_line(result: IngestResult | None) -> str:
    if result is None:
        return "no report: the file was not processed"
    return f"report: {result.report_path}"
