"""Tesseract adapter: Tesseract 5 with its ``chi_sim`` model, run as the ``tesseract`` command.

The baseline ``dossier bench speed`` compares the pipeline's engine with; usable as an engine too
(``DOSSIER_OCR__ENGINE=tesseract``). Needs Debian's ``tesseract-ocr`` and ``tesseract-ocr-chi-sim``
packages (``dossier bench speed --install-tesseract`` installs them). It reads the same prepared page as
the other engines (:func:`extractors.ocr.page.prepare`), so the comparison is of the models.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import threading
from collections import defaultdict

import cv2
import numpy as np

from extractors.ocr.base import INFERENCE_CLOCK, OcrOptions, reading_workers, worker_threads
from extractors.ocr.page import DETECTION_MARGIN, prepare, sort_reading_order, text_line, to_bgr
from models.text import TextLine

LANGUAGE = "chi_sim"
_WORD_LEVEL = 5
_TIMEOUT_SECONDS = 600


class TesseractOcrEngine:
    """Tesseract 5 ``chi_sim``, one process per page image, its words grouped into its lines."""

    def __init__(self, options: OcrOptions) -> None:
        self._options = options
        self._binary = tesseract_binary()
        self._version = tesseract_version(self._binary)
        # Pages side by side, each Tesseract on its share of the cores, its OpenMP threads capped so
        # (OMP_THREAD_LIMIT, as its maintainers advise: tesseract-ocr/tesseract#3109). Uncapped, Debian's build
        # starts more threads than there are cores: a page took 2.6-3.1 s on 2 cores, 0.8 s capped at 2 threads
        # and 0.65-0.86 s on one.
        self._slots = threading.BoundedSemaphore(reading_workers(options))
        self._environment = {**os.environ, "OMP_THREAD_LIMIT": str(worker_threads(options))}

    @property
    def name(self) -> str:
        return f"tesseract-{self._version}-{LANGUAGE}"

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Text lines of an RGB image, top to bottom then left to right."""
        prepared = prepare(image, self._options)
        ok, png = cv2.imencode(".png", to_bgr(prepared.image))
        if not ok:
            raise ValueError("could not encode the page for Tesseract")
        with self._slots, INFERENCE_CLOCK.running("tesseract"):  # layout and recognition in one call
            # Page segmentation 11 (sparse text): on these forms' tables it reads more of the cells than the
            # default 3 (measured on generated forms: CER 34% and 7% against 41% and 23%).
            done = subprocess.run(
                [self._binary, "stdin", "stdout", "-l", LANGUAGE, "--psm", "11", "tsv"],
                input=png.tobytes(),
                env=self._environment,
                capture_output=True,
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
        if done.returncode != 0:
            raise RuntimeError(f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-300:]}")
        return sort_reading_order(
            lines_from_tsv(done.stdout.decode("utf-8", errors="replace"), image.shape, prepared.scale)
        )


def lines_from_tsv(tsv: str, shape: tuple[int, ...], scale: float = 1.0) -> list[TextLine]:
    """Tesseract's TSV words (of an image scaled by ``scale``, then padded by :data:`DETECTION_MARGIN`) grouped
    into its lines, in the pixels of an image of ``shape``.

    Every line is kept: Tesseract's word confidences are not on the scale of ``min_score``.
    """
    words: dict[tuple[str, str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == str(_WORD_LEVEL) and (row.get("text") or "").strip():
            words[(row["page_num"], row["block_num"], row["par_num"], row["line_num"])].append(row)
    lines = []
    for line_words in words.values():
        left = min(int(w["left"]) for w in line_words)
        top = min(int(w["top"]) for w in line_words)
        right = max(int(w["left"]) + int(w["width"]) for w in line_words)
        bottom = max(int(w["top"]) + int(w["height"]) for w in line_words)
        # chi_sim puts spaces between the characters it reads as separate words.
        text = "".join(w["text"].strip() for w in line_words)
        score = sum(max(float(w["conf"]), 0.0) for w in line_words) / (100.0 * len(line_words))
        box = np.array([[left, top], [right, bottom]], dtype=float)
        lines.append(text_line(box, text, score, shape, DETECTION_MARGIN, scale))
    return lines


def tesseract_binary() -> str:
    """The ``tesseract`` command, with its ``chi_sim`` model.

    Raises:
        FileNotFoundError: Tesseract or its chi_sim model is not installed (the message says how to install them).
    """
    binary = shutil.which("tesseract")
    hint = "install Debian's tesseract-ocr and tesseract-ocr-chi-sim (dossier bench speed --install-tesseract)"
    if binary is None:
        raise FileNotFoundError(f"tesseract is not installed: {hint}")
    languages = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, check=False).stdout.split()
    if LANGUAGE not in languages:
        raise FileNotFoundError(f"tesseract has no {LANGUAGE} model: {hint}")
    return binary


def tesseract_version(binary: str) -> str:
    """``5.3.0`` from ``tesseract --version``."""
    first = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return first.split()[-1] if first.strip() else "unknown"
