"""Pages read side by side: the engines' worker pools, how the cores are shared out, and the inference clock."""

from __future__ import annotations

import os
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from extractors.ocr import OcrOptions
from extractors.ocr.base import (
    MAX_DEFAULT_WORKERS,
    InferenceClock,
    WorkerPool,
    reading_workers,
    worker_threads,
)
from tests import factories


def test_a_pool_makes_workers_only_as_threads_need_them_and_never_more_than_its_size() -> None:
    made: list[int] = []

    def make() -> int:
        made.append(len(made))
        return made[-1]

    pool = WorkerPool(make, 2)
    assert _take(pool) == 0
    assert _take(pool) == 0 and made == [0], "an idle worker is reused, not a new one made"

    release = threading.Event()
    holding = threading.Barrier(3)

    def hold() -> int:
        with pool.worker() as worker:
            holding.wait(5)
            release.wait(5)
            return worker

    with ThreadPoolExecutor(2) as threads:
        holders = [threads.submit(hold), threads.submit(hold)]
        holding.wait(5)  # both hold a worker: the second was made for the second thread
        assert made == [0, 1]
        waited: list[int] = []
        waiter = threading.Thread(target=lambda: waited.append(_take(pool)))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive() and not waited, "at its size, a third thread waits rather than making a worker"
        release.set()
        waiter.join(5)
        assert sorted(holder.result() for holder in holders) == [0, 1]
    assert waited and made == [0, 1]


def _take(pool: WorkerPool[int]) -> int:
    with pool.worker() as worker:
        return worker


def test_a_worker_that_cannot_be_made_frees_its_place() -> None:
    attempts: list[int] = []

    def make() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("model missing")
        return 7

    pool = WorkerPool(make, 1)
    with pytest.raises(OSError, match="model missing"), pool.worker():
        pass
    assert _take(pool) == 7, "the failed attempt did not use up the pool's one place"


def test_a_thread_waiting_for_a_worker_makes_it_when_another_thread_failed_to() -> None:
    making = threading.Event()
    fail = threading.Event()

    def make() -> int:
        if not making.is_set():
            making.set()
            fail.wait(5)
            raise OSError("model missing")
        return 7

    pool = WorkerPool(make, 1)
    with ThreadPoolExecutor(2) as threads:
        failing = threads.submit(_take, pool)
        assert making.wait(5)
        waiting = threads.submit(_take, pool)  # the pool's one place is taken: it waits
        time.sleep(0.1)
        assert not waiting.done()
        fail.set()
        with pytest.raises(OSError, match="model missing"):
            failing.result(5)
        assert waiting.result(5) == 7, "woken when the place came free, and made the worker"


def test_cores_are_shared_out_among_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors.ocr import base

    monkeypatch.setattr(base, "available_cores", lambda: 2)
    assert (reading_workers(OcrOptions()), worker_threads(OcrOptions())) == (2, 1)
    assert (reading_workers(OcrOptions(workers=1)), worker_threads(OcrOptions(workers=1))) == (1, 2)
    monkeypatch.setattr(base, "available_cores", lambda: 16)
    assert (reading_workers(OcrOptions()), worker_threads(OcrOptions())) == (MAX_DEFAULT_WORKERS, 16 // 4)
    assert worker_threads(OcrOptions(workers=3, threads=2)) == 2
    monkeypatch.setattr(base, "available_cores", lambda: 1)
    assert (reading_workers(OcrOptions()), worker_threads(OcrOptions())) == (1, 1)


def _two_calls_at_once(clock: InferenceClock, model: str | None = None) -> float:
    """Two threads inside ``clock.running(model)`` together for 0.2 s; the seconds it all took."""
    both_in = threading.Barrier(2)

    def call() -> None:
        with clock.running(model):
            both_in.wait(5)
            time.sleep(0.2)

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as threads:
        list(threads.map(lambda _: call(), range(2)))
    return time.perf_counter() - start


def test_the_inference_clock_counts_overlapping_calls_once() -> None:
    clock = InferenceClock()
    elapsed = _two_calls_at_once(clock)
    assert 0.2 <= clock.seconds <= elapsed, "two models running at once are one stretch of wall time"


def test_the_inference_clock_sums_each_model_s_calls_even_at_once_and_nested() -> None:
    clock = InferenceClock()
    _two_calls_at_once(clock, "recognition")
    with clock.running(), clock.running("detection"):  # a page read holding its detector's call
        time.sleep(0.1)
    by_model = clock.by_model()
    assert set(by_model) == {"recognition", "detection"}
    assert by_model["recognition"] >= 0.4, "each worker's call counts in full"
    assert 0.1 <= by_model["detection"] < 0.2
    assert clock.seconds < by_model["recognition"] + by_model["detection"], "wall time counted once"


_FAKE_TESSERACT = """#!/bin/sh
# A stand-in for tesseract: says what it is, records its thread cap, waits (up to 5 s) to see a second page
# being read at the same time, and reads nothing.
case "$1" in
  --version) echo "tesseract 5.3.0"; exit 0;;
  --list-langs) echo "List of available languages"; echo chi_sim; exit 0;;
esac
cat > /dev/null
echo "$OMP_THREAD_LIMIT" > "$LOG_DIR/limit-$$"
touch "$LOG_DIR/started-$$"
for _ in $(seq 50); do
  [ "$(ls "$LOG_DIR" | grep -c started)" -ge 2 ] && break
  sleep 0.1
done
ls "$LOG_DIR" | grep -c started > "$LOG_DIR/seen-$$"
printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n'
"""


def test_tesseract_reads_pages_side_by_side_each_on_one_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors.ocr import base
    from extractors.ocr.tesseract import TesseractOcrEngine

    bin_dir, log_dir = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text(_FAKE_TESSERACT)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("LOG_DIR", str(log_dir))
    monkeypatch.setattr(base, "available_cores", lambda: 2)

    engine = TesseractOcrEngine(OcrOptions(engine="tesseract"))
    page = np.full((200, 300, 3), 255, dtype=np.uint8)
    with ThreadPoolExecutor(2) as threads:
        assert list(threads.map(engine.read, [page, page])) == [[], []]
    limits = [path.read_text().strip() for path in log_dir.glob("limit-*")]
    seen = [path.read_text().strip() for path in log_dir.glob("seen-*")]
    assert limits == ["1", "1"], "OpenMP capped at one thread a page"
    assert seen == ["2", "2"], "both pages were being read at once"


@pytest.mark.ocr
def test_pages_read_side_by_side_read_as_they_do_one_at_a_time() -> None:
    from extractors.ocr.rapid import RapidOcrEngine

    # Two workers, whatever the machine: each page must come out as if it were alone (no state shared).
    engine = RapidOcrEngine(OcrOptions(workers=2, threads=1))
    pages = [factories.page_image(), factories.page_image()[:600]]
    alone = [engine.read(page) for page in pages]
    with ThreadPoolExecutor(2) as threads:
        together = list(threads.map(engine.read, pages * 2))
    assert together == alone * 2
    assert alone[0] and alone[1] and alone[0] != alone[1]
