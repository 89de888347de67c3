"""The INT8 detector: quantised from the shipped float one on first use, checked against it, cached."""

from __future__ import annotations

import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import onnx
import pytest
from filelock import FileLock

from extractors.ocr import OcrOptions, rapid
from extractors.ocr.quantize import cached_int8_path, quantize
from extractors.text import character_error_rate, compact
from tests import factories


def _options(cache: Path) -> OcrOptions:
    return OcrOptions(model_cache_dir=cache)


def _in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the INT8 detector in this process, not a child one."""
    monkeypatch.setattr(rapid, "_in_child_process", lambda make, *args: make(*args))


def _forbid(monkeypatch: pytest.MonkeyPatch, name: str, why: str) -> None:
    """Make ``rapid.<name>`` fail the test if it is called."""

    def never(*_: object) -> None:
        raise AssertionError(why)

    monkeypatch.setattr(rapid, name, never)


@pytest.mark.ocr
def test_the_int8_detector_is_made_once_reads_like_the_float_one_and_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = rapid.RapidOcrEngine(_options(tmp_path))
    assert engine.name == "rapidocr-ppocrv6-det-int8"
    (made,) = tmp_path.glob("*.onnx")
    assert made == cached_int8_path(rapid._shipped_models().det, tmp_path, rapid._int8_context(_options(tmp_path)))
    left = [path for path in tmp_path.iterdir() if path not in (made, made.with_suffix(".lock"))]
    assert not left, "no work folder or candidate is left"
    operators = {node.op_type for node in onnx.load(str(made)).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= operators
    float_engine = rapid.RapidOcrEngine(OcrOptions(int8_detector=False))
    assert float_engine.name == "rapidocr-ppocrv6"
    page = factories.page_image()
    texts = ["".join(compact(line.text) for line in reader.read(page)) for reader in (engine, float_engine)]
    assert character_error_rate(texts[0], texts[1]) <= rapid.MAX_INT8_DISAGREEMENT, texts

    _forbid(monkeypatch, "_make_int8_detector", "the cached INT8 detector was made again")
    assert rapid.RapidOcrEngine(_options(tmp_path)).name == "rapidocr-ppocrv6-det-int8"


@pytest.mark.ocr
def test_an_int8_detector_that_reads_unlike_the_float_one_is_rejected_for_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _in_this_process(monkeypatch)  # so that this test's patches apply
    monkeypatch.setattr(rapid, "CALIBRATION_PAGES", 2)
    monkeypatch.setattr(rapid, "MIN_CHECK_CHARACTERS", 1)
    monkeypatch.setattr(rapid, "MAX_INT8_DISAGREEMENT", -1.0)  # no copy can read alike
    with caplog.at_level(logging.WARNING):
        assert rapid.RapidOcrEngine(_options(tmp_path)).name == "rapidocr-ppocrv6"
    left = sorted(path.suffix for path in tmp_path.iterdir())
    assert left == [".lock", ".rejected"], "neither the copy nor its work is left"
    (rejected,) = tmp_path.glob("*.rejected")
    assert "differed from the float one's by" in rejected.read_text(encoding="utf-8")
    assert "reading with the float detector" in caplog.text

    _forbid(monkeypatch, "_make_int8_detector", "a rejected INT8 detector was made again")
    assert rapid.RapidOcrEngine(_options(tmp_path)).name == "rapidocr-ppocrv6"


@pytest.mark.ocr
def test_a_quantisation_that_fails_leaves_the_float_detector_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _in_this_process(monkeypatch)  # so that this test's patches apply
    monkeypatch.setattr(rapid, "CALIBRATION_PAGES", 1)

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rapid, "quantize", disk_full)
    with caplog.at_level(logging.WARNING):
        engine = rapid.RapidOcrEngine(_options(tmp_path))
    assert engine.name == "rapidocr-ppocrv6"
    assert "No space left on device" in caplog.text
    assert "51050219780512003X" in "".join(compact(line.text) for line in engine.read(factories.page_image()))


def test_without_onnx_or_a_writable_cache_the_float_detector_reads_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _in_this_process(monkeypatch)  # so that this test's patches apply

    _forbid(monkeypatch, "_sample_pages", "sample pages were read although no copy could be made")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert rapid._models(_options(not_a_folder)) == rapid._shipped_models()
        monkeypatch.setitem(sys.modules, "onnx", None)  # not installed
        assert rapid._models(_options(tmp_path / "cache")) == rapid._shipped_models()
    assert caplog.text.count("reading with the float detector") == 2 and "onnx" in caplog.text


def test_an_engine_waits_for_the_copy_another_process_is_making_and_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _options(tmp_path)
    shipped = rapid._shipped_models()
    copy = cached_int8_path(shipped.det, tmp_path, rapid._int8_context(options))
    _forbid(monkeypatch, "_in_child_process", "a second copy was made while another process was making one")
    other_process = FileLock(copy.with_suffix(".lock"))
    other_process.acquire()
    with ThreadPoolExecutor(max_workers=1) as pool:
        models = pool.submit(rapid._models, options)
        try:
            time.sleep(0.5)
            assert not models.done(), "the engine did not wait for the copy being made"
            copy.write_bytes(b"the other process's INT8 detector")
        finally:
            other_process.release()
        assert models.result(timeout=60) == rapid._Models(copy, shipped.rec, shipped.cls, int8_det=True)


def test_a_copy_is_named_by_what_it_was_made_under(tmp_path: Path) -> None:
    shipped = rapid._shipped_models().det
    assert rapid._int8_context(OcrOptions()) != rapid._int8_context(OcrOptions(detection_scale=0.4))
    assert cached_int8_path(shipped, tmp_path, "x86_64|avx2") != cached_int8_path(shipped, tmp_path, "x86_64|avx2|vnni")


def test_the_cache_names_a_copy_by_its_float_model(tmp_path: Path) -> None:
    first, second = tmp_path / "det.onnx", tmp_path / "other" / "det.onnx"
    second.parent.mkdir()
    first.write_bytes(b"one model")
    second.write_bytes(b"another model")
    assert cached_int8_path(first, tmp_path / "cache") == cached_int8_path(first, tmp_path / "cache")
    assert cached_int8_path(first, tmp_path / "cache") != cached_int8_path(second, tmp_path / "cache")
    assert cached_int8_path(first, tmp_path / "cache").parent == tmp_path / "cache"


def test_quantising_without_calibration_inputs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no calibration inputs"):
        quantize(rapid._shipped_models().det, tmp_path / "det.int8.onnx", [])
    assert not (tmp_path / "det.int8.onnx").exists()


def test_a_pages_cached_text_depends_on_the_detector_asked_for_not_on_where_it_is_kept() -> None:
    assert OcrOptions(model_cache_dir=Path("/a")).reading_key() == OcrOptions(model_cache_dir=Path("/b")).reading_key()
    assert OcrOptions(int8_detector=False).reading_key() != OcrOptions().reading_key()


def test_on_a_gpu_the_float_detector_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rapid, "_on_gpu", lambda: True)
    assert rapid._models(_options(tmp_path)) == rapid._shipped_models()
    assert not list(tmp_path.iterdir()), "nothing was quantised"


def _dies(*_: object) -> str | None:
    os._exit(9)  # as the kernel's OOM killer would end it


def test_a_quantiser_process_that_dies_is_a_lasting_refusal_not_a_crash() -> None:
    reason = rapid._in_child_process(_dies)
    assert reason is not None and "ended abnormally" in reason
