"""Keep the resident memory of a long-running pipeline process flat."""

from __future__ import annotations

import ctypes
import logging

logger = logging.getLogger(__name__)

_M_ARENA_MAX = -8
MALLOC_ARENAS = 2
"""glibc gives every thread that allocates its own heap (up to 8 per core); page images freed by one OCR or
flow thread stay in that thread's heap, so the process grows with the threads Prefect starts. Two heaps keep
the resident memory of a packet near what it needs (1.34 -> 1.17 GB measured on a 9-page packet). Set when
:mod:`pipeline.flow` is imported."""


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc heaps (as ``MALLOC_ARENA_MAX`` does); a no-op where the C library is not glibc."""
    try:
        # The C library this process already runs on: no lookup (find_library would run ldconfig).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    done = bool(mallopt(_M_ARENA_MAX, arenas))
    logger.debug("malloc arenas capped at %d: %s", arenas, done)
    return done
