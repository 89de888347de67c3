"""Benchmarks: figures printed and written as JSON, never asserted by a timed test.

``dossier bench seals`` measures the seal stage on freshly generated packets the
code was not tuned on (its own seed): detection precision and recall, legend
character error rate on round seals, 骑缝章 presence, swapped-page recall and
false alarms, pasted-seal recall, and the time per page of detection alone.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extractors.ocr import OcrOptions, get_engine
from extractors.pdf import RenderOptions, render_images
from extractors.seals.analyse import SealOptions, analyse_packet
from extractors.seals.detect import detect_seals
from extractors.text import compact
from models.profile import get_profile
from models.report import DocType, FindingCode
from models.text import edit_distance
from pipeline.report_io import write_json_atomically
from samples.evaluate import match_seals
from samples.generate import PROFILE_ORDER, Generated, generate

SEAL_TARGETS = {
    "seal_recall": (">=", 0.99),
    "seal_precision": (">=", 0.98),
    "round_legend_cer": ("<=", 0.05),
    "cross_page_presence": (">=", 0.98),
    "swapped_page_recall": (">=", 0.95),
    "clean_false_alarm_rate": ("<=", 0.02),
    "pasted_recall": (">=", 0.95),
    "genuine_repeat_false_alarms": ("<=", 0),
    "detect_ms_per_page": ("<=", 150),
}


@dataclass
class Tally:
    hits: float = 0.0
    total: float = 0.0

    def add(self, hits: float, total: float) -> None:
        self.hits += hits
        self.total += total

    @property
    def ratio(self) -> float | None:
        return self.hits / self.total if self.total else None


def render_pages(pdf: Path) -> list[np.ndarray]:
    """The packet's pages at 200 DPI, RGB, rendered by the pipeline's own loader."""
    return render_images(pdf, RenderOptions())


def bench_seals(per_set: int, seed: int, work: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Generate three sets (clean, swapped form page, pasted seal) and measure the seal stage on them."""
    sets = {
        "clean": generate(per_set, seed, work / "clean", clean_ratio=1.0),
        "swapped": generate(
            per_set, seed + 1, work / "swapped", profile="luzhou-2019", faults=["CROSS_PAGE_SEAL_BROKEN"]
        ),
        "pasted": _pasted_set(per_set, seed + 2, work / "pasted"),
    }
    engine = get_engine(OcrOptions())
    tallies = {name: Tally() for name in ("recall", "precision", "cer", "presence", "swapped", "pasted")}
    swap_alarms, paste_alarms, detect_seconds, pages_seen = 0, 0, 0.0, 0
    for name, packets in sets.items():
        for packet in packets:
            truth = json.loads(packet.truth.read_text(encoding="utf-8"))
            pages = render_pages(packet.pdf)
            start = time.perf_counter()
            for index, image in enumerate(pages):
                detect_seals(image, index)
            detect_seconds += time.perf_counter() - start
            pages_seen += len(pages)
            analysis = _analyse(pages, truth, engine)
            codes = {finding.code for finding in analysis.findings}
            _score_detection(truth, analysis, tallies)
            if name != "pasted":
                # Every packet stamps the employer's seal several times: genuine repeats, never pastes.
                paste_alarms += FindingCode.DUPLICATE_SEAL_IMPRESSION in codes
            if name == "clean":
                swap_alarms += FindingCode.CROSS_PAGE_SEAL_BROKEN in codes
            elif name == "swapped":
                tallies["swapped"].add(FindingCode.CROSS_PAGE_SEAL_BROKEN in codes, 1)
            else:
                tallies["pasted"].add(FindingCode.DUPLICATE_SEAL_IMPRESSION in codes, 1)
            log(f"{name:8} {packet.pdf.name}: {len(analysis.seals)} seals, findings {sorted(c.value for c in codes)}")
    clean_count = len(sets["clean"])
    return {
        "packets": {name: len(packets) for name, packets in sets.items()},
        "pages": pages_seen,
        "seal_recall": tallies["recall"].ratio,
        "seal_precision": tallies["precision"].ratio,
        "round_legend_cer": tallies["cer"].ratio,
        "cross_page_presence": tallies["presence"].ratio,
        "swapped_page_recall": tallies["swapped"].ratio,
        "clean_false_alarm_rate": swap_alarms / clean_count if clean_count else None,
        "pasted_recall": tallies["pasted"].ratio,
        "genuine_repeat_false_alarms": paste_alarms,
        "detect_ms_per_page": 1000 * detect_seconds / pages_seen if pages_seen else None,
    }


def _pasted_set(per_set: int, seed: int, out: Path) -> list[Generated]:
    made: list[Generated] = []
    for index, profile in enumerate(PROFILE_ORDER * per_set):
        if len(made) == per_set:
            break
        made += generate(1, seed + index, out, profile=profile, faults=["DUPLICATE_SEAL_IMPRESSION"])
    return [packet for packet in made if packet.faults]


def _analyse(pages: Sequence[np.ndarray], truth: dict[str, Any], engine: Any) -> Any:
    doc_types = [DocType(page["doc_type"]) for page in truth["pages"]]
    required = get_profile(truth["profile"]).cross_page_seal
    return analyse_packet(len(pages), lambda i: pages[i], doc_types, required, engine, SealOptions())


def _score_detection(truth: dict[str, Any], analysis: Any, tallies: dict[str, Tally]) -> None:
    report = [seal.model_dump(mode="json") for seal in analysis.seals]
    pairs = match_seals(truth["seals"], report)
    tallies["recall"].add(len(pairs), len(truth["seals"]))
    tallies["precision"].add(len(pairs), len(report))
    for expected, found in pairs:
        if expected["shape"] == "round" and expected["text"]:
            # Compared as the pipeline compares text: full-width （） and ( ) are the same characters.
            read, wanted = compact(found["text"] or ""), compact(expected["text"])
            tallies["cer"].add(edit_distance(read, wanted), len(wanted))
    for expected in truth["cross_page_seals"]:
        if not expected["complete"] and expected["missing_pages"] == expected["pages"]:
            continue  # none was stamped: nothing to find
        got = [c for c in analysis.cross_page_seals if c.pages and c.pages[0] == expected["pages"][0]]
        tallies["presence"].add(bool(got) and len(got[0].missing_pages) < len(got[0].pages), 1)


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda value, goal: value < goal,
    "<=": lambda value, goal: value <= goal,
    ">": lambda value, goal: value > goal,
    ">=": lambda value, goal: value >= goal,
}


def target_met(value: float | None, op: str, goal: float) -> bool:
    """Whether a measured ``value`` meets ``op goal`` (a missing value never does)."""
    return value is not None and _COMPARISONS[op](value, goal)


def format_figures(figures: dict[str, Any]) -> str:
    """The figures as a table, with each target and whether it is met."""
    lines = [f"packets {figures['packets']}, pages {figures['pages']}", f"{'figure':30} {'value':>10}  target"]
    for name, (op, target) in SEAL_TARGETS.items():
        value = figures.get(name)
        shown = "n/a" if value is None else f"{value:.4g}"
        met = target_met(value, op, target)
        lines.append(f"{name:30} {shown:>10}  {op} {target}  {'ok' if met else 'MISSED'}")
    return "\n".join(lines)


def run_seal_bench(per_set: int, seed: int, out: Path | None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run :func:`bench_seals` in a temporary folder; write the figures as JSON to ``out`` if given."""
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as work:
        figures = bench_seals(per_set, seed, Path(work), log)
    if out is not None:
        write_json_atomically(out, figures)
    return figures
