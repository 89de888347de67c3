"""Work in threads with results in order and only a few items started ahead."""

from __future__ import annotations

import threading
import time

import pytest

from extractors.parallel import in_order


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_results_come_in_order_with_at_most_threads_items_started_ahead(threads: int) -> None:
    started: list[int] = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            started.append(item)
        return item * 10

    results = []
    for result in in_order(work, range(8), threads, "test"):
        with lock:
            # The item just received, and no more than threads - 1 after it, have been started.
            assert len(started) <= result // 10 + threads
        results.append(result)
    assert results == [item * 10 for item in range(8)]
    assert sorted(started) == list(range(8))


def test_items_are_not_all_started_at_once() -> None:
    started: list[int] = []
    results = in_order(started.append, range(10), 3, "test")
    next(results)
    time.sleep(0.1)  # anything started runs by now (ThreadPoolExecutor.map would have started all ten)
    assert sorted(started) == [0, 1, 2]
    assert len(list(results)) == 9 and sorted(started) == list(range(10))


def test_a_failing_item_raises_when_its_turn_comes() -> None:
    def work(item: int) -> int:
        if item == 2:
            raise OSError("item 2")
        return item

    results = in_order(work, range(5), 2, "test")
    assert [next(results), next(results)] == [0, 1]
    with pytest.raises(OSError, match="item 2"):
        next(results)
