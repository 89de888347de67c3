"""RapidOCR adapter: PaddleOCR's PP-OCRv6 models as ONNX, shipped inside the ``rapidocr`` wheel.

Imported only when the engine is built (:func:`extractors.ocr.get_engine`).

Nothing is downloaded: the model paths are those of the installed package, and
loading fails loudly if they are missing rather than fetching them.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from filelock import FileLock
from rapidocr import RapidOCR
from rapidocr.ch_ppocr_rec import TextRecInput
from rapidocr.utils.output import RapidOCROutput

from extractors.ocr.base import (
    DETECTION,
    INFERENCE_CLOCK,
    LINE_ORIENTATION,
    RECOGNITION,
    OcrOptions,
    WorkerPool,
    model_cache_root,
    reading_workers,
    worker_threads,
)
from extractors.ocr.orientation import find_upright_turn
from extractors.ocr.page import (
    DETECTION_MARGIN,
    detection_side,
    prepare,
    sort_reading_order,
    to_bgr,
    whole_image_line,
)
from extractors.ocr.quantize import WORK_PREFIX, cached_int8_path, quantize
from models.text import TextLine

logger = logging.getLogger(__name__)

_DET_MODEL = "PP-OCRv6_det_small.onnx"
_REC_MODEL = "PP-OCRv6_rec_small.onnx"
_CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


@dataclass(frozen=True)
class _Models:
    """The model files an engine runs."""

    det: Path
    rec: Path
    cls: Path
    int8_det: bool = False


class RapidOcrEngine:
    """PP-OCRv6 detection and recognition through ONNX Runtime."""

    def __init__(self, options: OcrOptions, models: _Models | None = None) -> None:
        self._options = options
        self._models = models or _models(options)
        # RapidOCR keeps per-call state on the instance: one per page read at once, each on its share of the cores.
        params = _params(options, self._models)
        self._readers = WorkerPool(lambda: _with_timed_models(RapidOCR(params=params)), reading_workers(options))

    @property
    def name(self) -> str:
        return "rapidocr-ppocrv6-det-int8" if self._models.int8_det else "rapidocr-ppocrv6"

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Text lines of an RGB image, top to bottom then left to right."""
        prepared = prepare(image, self._options)
        bgr = to_bgr(prepared.image)  # RapidOCR expects OpenCV's BGR order for arrays.
        with self._readers.worker() as ocr:
            # A page is searched shrunk, a small crop as it is.
            _detector_set_for(ocr, detection_side(prepared.image.shape, self._options))
            with INFERENCE_CLOCK.running():
                result = ocr(bgr)
        if not isinstance(result, RapidOCROutput) or result.boxes is None or result.txts is None:
            return []
        scores = result.scores or (0.0,) * len(result.txts)
        lines = [
            prepared.line(np.asarray(box, dtype=float), text, score, image.shape)
            for box, text, score in zip(result.boxes, result.txts, scores, strict=True)
            if text.strip() and score >= self._options.min_score
        ]
        return sort_reading_order(lines)

    def read_line(self, image: np.ndarray) -> TextLine | None:
        """Recognise one text line filling ``image`` (no detection): seal legends unwrapped into a strip."""
        bgr = to_bgr(image)
        with self._readers.worker() as ocr:
            try:
                with INFERENCE_CLOCK.running():
                    result = ocr(bgr, use_det=False, use_cls=False, use_rec=True)
            finally:
                # RapidOCR keeps these switches on the instance; page reading needs them back on.
                ocr.update_params(use_det=True, use_cls=True, use_rec=True)
        texts, scores = getattr(result, "txts", None), getattr(result, "scores", None)
        if not texts or not scores or not texts[0].strip():
            return None
        return whole_image_line(texts[0], scores[0], image.shape)

    def upright_turn(self, image: np.ndarray) -> int:
        """Degrees clockwise that turn an RGB page upright (:mod:`extractors.ocr.orientation`); 0 if unsure."""
        with self._readers.worker() as ocr:
            return find_upright_turn(image, _OrientationModels(ocr), self._options)


class _OrientationModels:
    """RapidOCR's detector, line orientation classifier and recogniser, called directly on RGB images."""

    def __init__(self, ocr: RapidOCR) -> None:
        self._ocr = ocr

    def detect(self, image: np.ndarray) -> np.ndarray:
        # Searched at its own size: the caller shrank it. read() sets the size again for every page it reads.
        detector = _detector_set_for(self._ocr, max(image.shape[:2]))
        bgr = to_bgr(image)
        with INFERENCE_CLOCK.running():
            boxes = detector(bgr).boxes
        return np.zeros((0, 4, 2)) if boxes is None else np.asarray(boxes, dtype=float)

    def upright_probability(self, pieces: list[np.ndarray]) -> list[float]:
        # The classifier's labels are "0" (upright) and "180"; its score is that of the label it chose.
        classifier, bgr = self._ocr._load_cls_model(), [to_bgr(piece) for piece in pieces]
        with INFERENCE_CLOCK.running():
            result = classifier(bgr)
        return [float(score) if label == "0" else 1.0 - float(score) for label, score in result.cls_res or []]

    def read_scores(self, pieces: list[np.ndarray]) -> list[float]:
        recogniser, bgr = self._ocr._load_rec_model(), [to_bgr(piece) for piece in pieces]
        with INFERENCE_CLOCK.running():
            result = recogniser(TextRecInput(img=bgr))
        return [float(score) for score in result.scores or (0.0,) * len(pieces)]


def _detector_set_for(ocr: RapidOCR, side: int) -> Any:
    """RapidOCR's text detector (built on first use), set to search the next image at ``side`` pixels.

    RapidOCR reads the size, and the mean and spread it normalises the input with, from the detector on every
    call. It keeps the mean and spread as lists, which NumPy makes float64: the whole searched image was then
    normalised in double precision and cast back (88 ms for a half-resolution page). As float32 arrays the
    arithmetic stays in float32 (12 ms), to the same values: (x / 255 - 0.5) / 0.5 is exact in either.
    """
    detector = ocr._load_det_model()
    detector.limit_side_len = side
    detector.mean = np.asarray(detector.mean, dtype=np.float32)
    detector.std = np.asarray(detector.std, dtype=np.float32)
    return detector


def _shipped_models() -> _Models:
    model_dir = Path(str(resources.files("rapidocr") / "models"))
    missing = [m for m in (_DET_MODEL, _REC_MODEL, _CLS_MODEL) if not (model_dir / m).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the rapidocr package has no bundled {', '.join(missing)} in {model_dir}; "
            "reinstall rapidocr==3.10.* (models are never downloaded at run time)"
        )
    return _Models(model_dir / _DET_MODEL, model_dir / _REC_MODEL, model_dir / _CLS_MODEL)


# ----------------------------------------------------------------------------------------------------------
# the INT8 detector


MAX_INT8_DISAGREEMENT = 0.01
"""An INT8 detector is kept only if the text read with it differs from the float detector's (characters wrong,
missing or added) by at most this share on pages it was not calibrated on. Where it reads alike (0.3% where
measured) it is kept; a processor on which 8-bit arithmetic saturates loses whole lines, far more than this, and
keeps the float detector."""

MIN_CHECK_CHARACTERS = 500
"""The check must compare at least this many characters, or the copy is not kept: no evidence, no INT8."""

CALIBRATION_PAGES = 10
"""Pages of the sample packets that set the INT8 detector's activation ranges (one of each packet, at rotating
positions, so that forms, sheets, certificates, ID copies and narratives are all among them); as many others,
the page after each, check it."""

CALIBRATION = "reading-search-inputs-v2"
"""Names how the copy is calibrated and checked (part of its cache name): change it when that changes."""

_STALE_WORK_SECONDS = 24 * 3600
"""A quantising work folder this old was left by a process that was killed: it is removed."""


def _models(options: OcrOptions) -> _Models:
    """The shipped float models, with (``options.int8_detector``) the detector's INT8 copy, made now if the cache
    has none yet. Where none can be made, or the one made reads unlike the float one, the float detector reads,
    with a warning: reading never stops for it.

    Made under the engine registry's lock, the first time an engine is built in a process: the first page read
    (or turned upright) on a machine waits for it, about a minute and a half, once. Processes that start together
    on a machine that has no copy yet (a work pool's flow runs, a watcher beside ``dossier process``) make it
    once: one makes it while the others wait, then take it (calibrating holds ~3.5 GB: several at once could run a
    machine out of memory).
    """
    shipped = _shipped_models()
    if not options.int8_detector or _on_gpu():  # INT8 is for the CPU: on a GPU the float model is fast
        return shipped
    cache_dir = options.model_cache_dir or model_cache_root() / "int8-models"
    try:
        int8_det = cached_int8_path(shipped.det, cache_dir, _int8_context(options))
        rejected = int8_det.with_suffix(".rejected")  # says why the copy made here was not kept
        if not int8_det.is_file() and not rejected.is_file():
            cache_dir.mkdir(parents=True, exist_ok=True)
            with FileLock(int8_det.with_suffix(".lock")):
                if not int8_det.is_file() and not rejected.is_file():  # not made while this process waited
                    reason = _in_child_process(_make_int8_detector, options, shipped, int8_det)
                    if reason is not None:
                        rejected.write_text(reason + "\n", encoding="utf-8")
        if not int8_det.is_file():
            logger.warning("reading with the float detector: an INT8 copy read unlike it here (%s)", rejected)
            return shipped
    except Exception as exc:  # onnx missing, a read-only or full disk, a graph the quantiser cannot take
        logger.warning("reading with the float detector: no INT8 copy made in %s (%s)", cache_dir, exc, exc_info=True)
        return shipped
    return _Models(int8_det, shipped.rec, shipped.cls, int8_det=True)


def _in_child_process(make: Callable[..., str | None], *args: Any) -> str | None:
    """``make(*args)`` in a child process: its calibration's memory goes when it ends, and a crash of the
    quantiser's native code ends only that process."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        try:
            return child.submit(make, *args).result()
        except BrokenProcessPool:  # killed (out of memory: calibrating holds ~3.5 GB): not tried again here
            return "the process making the INT8 detector ended abnormally (out of memory?)"


def _int8_context(options: OcrOptions) -> str:
    """What a copy was made and checked under beyond its float model: the processor's kind (a cache folder may be
    shared by machines whose 8-bit arithmetic differs) and the options that shape the detector's input."""
    return "|".join(
        [
            CALIBRATION,
            platform.machine(),
            *cpu_features(),
            f"scale={options.detection_scale} min={options.detection_min_side} max={options.max_side}",
            f"red={options.remove_red_ink}",
        ]
    )


@functools.cache
def cpu_features() -> tuple[str, ...]:
    """The processor's 8-bit arithmetic features ONNX Runtime picks its kernels by, where the system tells them
    (read once per process)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return (platform.processor(),)
    eight_bit = ("avx2", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8")
    return tuple(sorted({flag for flag in flags if flag in eight_bit}))


def _make_int8_detector(options: OcrOptions, shipped: _Models, target: Path) -> str | None:
    """Quantise the float detector to ``target``, calibrated on the inputs it is fed while the float engine reads
    sample pages exactly as pages are read in use; then read other sample pages with both, and
    keep the copy only if its text differs from the float engine's by at most :data:`MAX_INT8_DISAGREEMENT` and it
    turns those pages, laid sideways, as the float engine does.

    Returns:
        None when it was kept; else why not (and nothing is left at ``target``).

    Raises:
        ImportError: The ``onnx`` package is missing (checked before anything is read).
        OSError: The cache folder cannot be written, or no sample packets are installed.
    """
    import onnx  # noqa: F401  (the quantiser needs it: fail before a minute of work, not after)

    from samples.ocr_score import TextScore, score_page

    _remove_stale_work(target.parent)
    calibration, check = _sample_pages()
    logger.warning("making an INT8 copy of the OCR detector in %s (once per machine, ~1.5 min)", target.parent)
    reader = RapidOcrEngine(options.model_copy(update={"workers": 1}), shipped)
    with reader._readers.worker() as only:  # its one worker reads every page below
        detector = only._load_det_model()
    detector.session = recorded = _RecordedSession(detector.session)
    # Calibrated where pages are read: adding the orientation search's small inputs widened the ranges and cost
    # precision (CER of the bench's 10 pages 0.24% to 0.30%); that search is checked below instead.
    for page in calibration:
        reader.read(page)
    detector.session = recorded.session
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=target.parent) as work:
        candidate = Path(work) / target.name
        quantize(shipped.det, candidate, recorded.inputs)
        checked = RapidOcrEngine(options, _Models(candidate, shipped.rec, shipped.cls, int8_det=True))
        differences = TextScore()
        for page in check:
            printed = [{"text": line.text, "bbox": line.bbox} for line in reader.read(page)]
            differences.add(score_page(printed, checked.read(page)))
        if differences.characters < MIN_CHECK_CHARACTERS:
            return f"the INT8 detector could not be checked: {differences.characters} characters on the sample pages"
        sideways = [np.rot90(page) for page in check]
        turns = [(reader.upright_turn(page), checked.upright_turn(page)) for page in sideways]
        if any(by_float != by_int8 for by_float, by_int8 in turns):
            return f"the INT8 detector turned sample pages unlike the float one: {turns} (float, INT8) degrees"
        disagreement = (differences.errors + differences.stray) / differences.characters
        if disagreement > MAX_INT8_DISAGREEMENT:
            return (
                f"the INT8 detector's text differed from the float one's by {100 * disagreement:.2f}% of "
                f"{differences.characters} characters on {len(check)} sample pages (at most "
                f"{100 * MAX_INT8_DISAGREEMENT:.0f}% kept)"
            )
        os.replace(candidate, target)
    logger.info("INT8 detector kept: its text differs from the float one's by %.2f%%", 100 * disagreement)
    return None


def _remove_stale_work(cache_dir: Path) -> None:
    """Remove quantising work folders left by killed processes (a day old: none is still being written)."""
    now = time.time()
    for work in cache_dir.glob(f"{WORK_PREFIX}*"):
        try:
            if now - work.stat().st_mtime > _STALE_WORK_SECONDS:
                shutil.rmtree(work, ignore_errors=True)
        except OSError:
            continue


def _sample_pages() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pages of the installed sample packets: one of each to calibrate on, and the page after it to check on."""
    from extractors.pdf import RenderOptions, opened
    from samples import sample_packets

    calibration, check = [], []
    for number, packet in enumerate(sample_packets()[:CALIBRATION_PAGES]):
        with opened(packet, RenderOptions(use_text_layer=False)) as document:  # only the pixels are used
            calibration.append(document.render(number % document.page_count).image)
            check.append(document.render((number + 1) % document.page_count).image)
    if not calibration:
        raise FileNotFoundError("no sample packets are installed to calibrate the INT8 detector on")
    return calibration, check


class _SessionProxy:
    """Stands in for an ONNX Runtime session of RapidOCR's: calls pass through, as does everything else asked of it."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def __call__(self, batch: np.ndarray) -> Any:
        return self.session(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


class _RecordedSession(_SessionProxy):
    """Keeps a copy of every input the session is given."""

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.inputs: list[np.ndarray] = []

    def __call__(self, batch: np.ndarray) -> Any:
        self.inputs.append(np.array(batch))
        return self.session(batch)


class _TimedSession(_SessionProxy):
    """Counts every call's seconds on :data:`~extractors.ocr.base.INFERENCE_CLOCK` under the model's name."""

    def __init__(self, session: Any, model: str) -> None:
        super().__init__(session)
        self.model = model

    def __call__(self, batch: np.ndarray) -> Any:
        with INFERENCE_CLOCK.running(self.model):
            return self.session(batch)


def _with_timed_models(ocr: RapidOCR) -> RapidOCR:
    """``ocr`` with its three models loaded (RapidOCR loads them on first use) and each one's calls timed under its
    name: the benchmark's OCR time split into detection, line orientation and recognition."""
    for model, name in (
        (ocr._load_det_model(), DETECTION),
        (ocr._load_cls_model(), LINE_ORIENTATION),
        (ocr._load_rec_model(), RECOGNITION),
    ):
        model.session = _TimedSession(model.session, name)
    return ocr


REC_BATCH_LINES = 2
"""Lines recognised in one model call (RapidOCR's default is 6). Every line of a call is padded to the widest one,
and the widest lines of a page go together: a call of six 40-character lines of a narrative page took 200-330 MB
for its activations, one of two ~80 MB; and a page read in ~0.8 of the time (measured on 30 pages, one thread)."""


def _params(options: OcrOptions, models: _Models) -> dict[str, Any]:
    return {
        "Global.log_level": "warning",
        "Global.text_score": options.min_score,
        # The page comes already shrunk to max_side (extractors.ocr.page.prepare): RapidOCR must not resize it.
        "Global.max_side_len": options.max_side + 2 * DETECTION_MARGIN,
        # Detection on a shrunk copy (the size set per image in read); boxes come back in full-size pixels and
        # the lines are cut from the full-size image for recognition.
        "Det.limit_type": "max",
        "Global.model_root_dir": str(models.cls.parent),
        "Det.model_path": str(models.det),
        "Rec.model_path": str(models.rec),
        "Cls.model_path": str(models.cls),
        "Rec.rec_batch_num": REC_BATCH_LINES,
        "EngineConfig.onnxruntime.intra_op_num_threads": worker_threads(options),
        # Where onnxruntime-gpu is installed instead of onnxruntime, the models run on the GPU (CUDA device 0).
        "EngineConfig.onnxruntime.use_cuda": _on_gpu(),
    }


def _on_gpu() -> bool:
    """Whether ONNX Runtime can run the models on a GPU (onnxruntime-gpu installed instead of onnxruntime)."""
    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()
