"""The malloc heap cap the CLI sets before any thread starts."""

from __future__ import annotations

import ctypes.util

import pytest

from pipeline.memory import limit_malloc_arenas


@pytest.mark.skipif(ctypes.util.find_library("c") is None, reason="no C library to configure")
def test_glibc_accepts_the_heap_cap() -> None:
    assert limit_malloc_arenas() is True
