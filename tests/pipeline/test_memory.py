"""The malloc heap cap set where the flows are imported, before their threads start."""

from __future__ import annotations

import platform

import pytest

from pipeline.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the heap cap is glibc's")
def test_glibc_accepts_the_heap_cap() -> None:
    assert limit_malloc_arenas() is True
