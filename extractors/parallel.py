"""Work in threads: the cores this process may use, and a sequence worked on in threads, results in order, with
only a few items in memory at once."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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
