"""Work on a sequence in threads, results in order, with only a few items in memory at once."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def in_order(
    work: Callable[[Item], Result], items: Iterable[Item], threads: int, name: str
) -> Generator[Result, None, None]:
    """``work(item)`` for each of ``items``, ``threads`` at a time, yielded in the items' order.

    Unlike ``ThreadPoolExecutor.map``, which starts every item at once, at most ``threads`` items are started
    ahead of the one the caller is waiting for: a packet's pages are not all decoded into memory together. An
    exception of ``work`` is raised when its item's turn comes.
    """
    if threads <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name) as pool:
        started: deque[Future[Result]] = deque()
        for item in items:
            started.append(pool.submit(work, item))
            if len(started) >= threads:
                yield started.popleft().result()
        while started:
            yield started.popleft().result()
