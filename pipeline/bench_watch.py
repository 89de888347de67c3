"""``dossier bench watch``: a burst of scans dropped at once into a running watcher.

Measures what staff and IT care about in a burst: every file filed exactly once,
the time to the first report (model loading and Prefect's start included), the
files per minute after it, and the watcher's resident memory as the burst goes
through, to show it stays flat (the queue holds names, not files).
"""

from __future__ import annotations

import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf

from pipeline.inbox import Inbox
from pipeline.report_io import write_json_atomically
from pipeline.watch import Filed, Watcher, WatchOptions

SAMPLE_SECONDS = 0.5


def make_scans(folder: Path, count: int) -> list[Path]:
    """``count`` one-page PDFs with a few lines of Chinese text each, no two alike."""
    folder.mkdir(parents=True, exist_ok=True)
    scans = []
    for n in range(count):
        document = pymupdf.open()
        page = document.new_page(width=595, height=842)
        lines = [
            f"申请材料 第{n + 1}份",
            f"姓名：测试人员{n:04d}",
            "工作单位：温州市测试机械有限公司",
            "职业资格等级：技师",
        ]
        for row, line in enumerate(lines):
            page.insert_text((72, 100 + 40 * row), line, fontname="china-s", fontsize=16)
        path = folder / f"burst-{n:04d}.pdf"
        document.save(path)
        document.close()
        scans.append(path)
    return scans


def rss_mib() -> float:
    """This process's resident memory now, in MiB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as stream:
        resident_pages = int(stream.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_watch_bench(count: int, workers: int, out: Path | None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Drop ``count`` scans at once into a watcher with ``workers`` workers, in a fresh data folder and database.

    Args:
        count: Scans in the burst.
        workers: The watcher's ``--workers``.
        out: Write the figures here as JSON too.
        log: Progress lines.
    """
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-watch-"))
    os.environ["DOSSIER_DATA_DIR"] = str(work / "data")  # a fresh database and OCR cache
    from pipeline.flow import ingest_packet, start_prefect_api  # after the data folder is set
    from pipeline.settings import get_settings
    from pipeline.storage import get_store
    from pipeline.storage.schema import Packet

    get_settings.cache_clear()
    scans = make_scans(work / "staging", count)
    inbox = Inbox.at(work / "inbox")
    store = get_store(get_settings().database_url)
    filed: list[Filed] = []
    stop = threading.Event()
    watcher = Watcher(
        inbox,
        store,
        lambda path, name: ingest_packet(str(path), None, str(inbox.reports), name),
        WatchOptions(workers=workers, settle=1.0, tick=0.5),
        on_filed=filed.append,
    )
    start_prefect_api()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    rss_start = rss_mib()
    start = time.perf_counter()
    for scan in scans:
        os.rename(scan, inbox.root / scan.name)
    log(f"{count} scans dropped into {inbox.root}")
    samples: list[tuple[float, int, float]] = []
    while len(filed) < count:
        time.sleep(SAMPLE_SECONDS)
        samples.append((time.perf_counter() - start, len(filed), rss_mib()))
        if len(samples) % 60 == 0:
            log(f"{len(filed)}/{count} filed, {samples[-1][2]:.0f} MiB")
    seconds = time.perf_counter() - start
    stop.set()
    thread.join()
    first = next(t for t, done, _ in samples if done >= 1)

    def rss_at(share: float) -> float:
        return next(rss for _, done, rss in samples if done >= share * count)

    figures = {
        "files": count,
        "workers": workers,
        "seconds": round(seconds, 1),
        "first_report_s": round(first, 1),
        "files_per_minute_after_first": round((count - 1) / max(seconds - first, 1e-9) * 60, 1),
        "rss_mib": {
            "before": round(rss_start),
            "at_10%": round(rss_at(0.1)),
            "at_50%": round(rss_at(0.5)),
            "at_100%": round(rss_at(1.0)),
            "peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
        "done": sum(1 for _ in inbox.done.iterdir()),
        "failed": sum(1 for item in filed if item.failed),
        "left_in_processing": len(inbox.claimed()),
        "packets_in_database": store.count(Packet),
    }
    if out is not None:
        write_json_atomically(out, figures)
    return figures
