"""INT8 copies of ONNX models, quantised on this machine from the float models shipped in a wheel.

Static quantisation in QDQ form: weights to 8 bits per output channel, activations to 8 bits over the ranges
they take on calibration inputs (min and max). Nothing is downloaded: the float model and the calibration
inputs are on the machine, and the copy is written once into a cache folder, named by the float model's hash,
this recipe, ONNX Runtime's version and what the caller says it was made under, so that a changed model,
runtime or context never uses a stale copy.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

RECIPE = "qdq-u8s8-perchannel-minmax-v1"
"""Names how a copy was made: a copy made another way is not taken from the cache."""

_MIN_OPSET = 13
"""Per-channel DequantizeLinear (its ``axis``) needs opset 13; PaddleOCR's ONNX exports are opset 11."""


def cached_int8_path(source: Path, cache_dir: Path, context: str = "") -> Path:
    """Where the INT8 copy of the float model ``source`` is kept in ``cache_dir``; ``context`` names what else the
    copy was made and checked under (the caller's options, the processor)."""
    import onnxruntime

    with source.open("rb") as model:
        digest = hashlib.file_digest(model, "sha256")
    digest.update(f"{RECIPE}|onnxruntime {onnxruntime.__version__}|{context}".encode())
    return cache_dir / f"{source.stem}.int8-{digest.hexdigest()[:16]}.onnx"


WORK_PREFIX = "dossier-quantize-"
"""Names the work folders quantising leaves in a cache folder (a killed process leaves its own behind)."""


def quantize(source: Path, target: Path, calibration: Sequence[np.ndarray]) -> None:
    """Write an INT8 copy of the float model ``source`` at ``target``, a path of the caller's own (a work folder's:
    the copy is whole only when this returns).

    ``calibration`` holds inputs of the model's one input, as it is fed in use (different sizes may mix). The
    copy keeps the model's metadata.

    Raises:
        ImportError: The ``onnx`` package is missing.
        OSError: ``target`` cannot be written.
        ValueError: ``calibration`` is empty.
    """
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if not calibration:
        raise ValueError(f"no calibration inputs for {source.name}")
    model = onnx.load(str(source))
    input_name = model.graph.input[0].name

    class Inputs(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self._inputs: Iterator[np.ndarray] = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self._inputs, None)
            return None if batch is None else {input_name: batch}

    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=target.parent) as work_dir:
        work = Path(work_dir)
        if model.opset_import[0].version < _MIN_OPSET:
            model = version_converter.convert_version(model, _MIN_OPSET)
        onnx.save(model, str(work / "float.onnx"))
        # Shapes inferred and the graph tidied as the quantiser expects (no symbolic shape inference: sympy).
        quant_pre_process(str(work / "float.onnx"), str(work / "prepared.onnx"), skip_symbolic_shape=True)
        quantize_static(
            str(work / "prepared.onnx"),
            str(target),
            Inputs(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )
    logger.info("quantised %s to INT8 as %s", source.name, target)
