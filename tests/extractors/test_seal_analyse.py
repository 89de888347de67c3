"""The seal stage over whole generated packets: seals found, 骑缝章 joined, and the three findings raised."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extractors.pdf import RenderOptions, render_images
from extractors.seals.analyse import SealAnalysis, analyse_packet, documents, sliver_runs
from extractors.seals.types import DetectedSeal
from models import DocType, FindingCode, get_profile
from samples.evaluate import match_seals
from samples.generate import generate

SEED = 31


def analyse(
    tmp_path: Path, profile: str, faults: list[str], pages_at_once: int = 1
) -> tuple[SealAnalysis, dict[str, object]]:
    (packet,) = generate(1, SEED, tmp_path, profile=profile, faults=faults, clean_ratio=1.0)
    truth = json.loads(packet.truth.read_text(encoding="utf-8"))
    pages = render_images(packet.pdf, RenderOptions())
    doc_types = [DocType(page["doc_type"]) for page in truth["pages"]]
    required = get_profile(profile).cross_page_seal
    analysis = analyse_packet(len(pages), lambda i: pages[i], doc_types, required, None, pages_at_once=pages_at_once)
    return analysis, truth


def codes(analysis: SealAnalysis) -> set[FindingCode]:
    return {finding.code for finding in analysis.findings}


def test_a_clean_packet_has_its_seals_a_whole_cross_page_seal_and_no_finding(tmp_path: Path) -> None:
    analysis, truth = analyse(tmp_path, "luzhou-2019", [])
    report = [seal.model_dump(mode="json") for seal in analysis.seals]
    assert len(match_seals(truth["seals"], report)) == len(truth["seals"])  # type: ignore[arg-type]
    (joined,) = analysis.cross_page_seals
    assert joined.complete and joined.missing_pages == []
    assert codes(analysis) == set()


def test_a_page_swapped_after_stamping_breaks_the_cross_page_seal(tmp_path: Path) -> None:
    analysis, truth = analyse(tmp_path, "luzhou-2019", ["CROSS_PAGE_SEAL_BROKEN"])
    cross_page_seals: list[dict[str, list[int]]] = truth["cross_page_seals"]  # type: ignore[assignment]
    (expected,) = cross_page_seals
    (finding,) = [f for f in analysis.findings if f.code == FindingCode.CROSS_PAGE_SEAL_BROKEN]
    assert finding.pages == expected["missing_pages"]
    assert finding.severity == "fraud_suspect" and "骑缝章" in finding.message
    assert finding.evidence["slivers"]


def test_a_form_without_the_required_cross_page_seal(tmp_path: Path) -> None:
    analysis, _ = analyse(tmp_path, "luzhou-2019", ["CROSS_PAGE_SEAL_MISSING"])
    assert FindingCode.CROSS_PAGE_SEAL_MISSING in codes(analysis)
    assert FindingCode.CROSS_PAGE_SEAL_BROKEN not in codes(analysis)


def test_a_pasted_seal_is_flagged_with_both_impressions_as_evidence(tmp_path: Path) -> None:
    analysis, _ = analyse(tmp_path, "wenzhou-7", ["DUPLICATE_SEAL_IMPRESSION"])
    (finding,) = [f for f in analysis.findings if f.code == FindingCode.DUPLICATE_SEAL_IMPRESSION]
    assert len(finding.evidence["impressions"]) == 2
    assert all(len(item["bbox"]) == 4 for item in finding.evidence["impressions"])


def test_pages_analysed_side_by_side_give_the_same_analysis(tmp_path: Path) -> None:
    one_at_a_time, _ = analyse(tmp_path / "one", "luzhou-2019", ["CROSS_PAGE_SEAL_BROKEN"])
    side_by_side, _ = analyse(tmp_path / "three", "luzhou-2019", ["CROSS_PAGE_SEAL_BROKEN"], pages_at_once=3)
    assert one_at_a_time.seals and one_at_a_time.findings
    assert side_by_side == one_at_a_time


@pytest.mark.parametrize("pages_at_once", [1, 2])
def test_a_failing_page_costs_only_that_page(pages_at_once: int) -> None:
    blank = np.full((2339, 1654, 3), 250, np.uint8)

    def load(index: int) -> np.ndarray | None:
        if index == 1:
            raise OSError("unreadable page image")
        return None if index == 3 else blank  # page 3 was never rendered: its error is already recorded

    analysis = analyse_packet(5, load, [DocType.OTHER] * 5, (), None, pages_at_once=pages_at_once)
    assert analysis.errors == [(1, "OSError: unreadable page image")]
    assert analysis.seals == []


def test_documents_are_runs_of_one_doc_type() -> None:
    types = [DocType.APPLICATION_FORM, DocType.APPLICATION_FORM, DocType.DEEDS, DocType.APPLICATION_FORM]
    assert documents(types) == [
        (DocType.APPLICATION_FORM, [0, 1]),
        (DocType.DEEDS, [2]),
        (DocType.APPLICATION_FORM, [3]),
    ]


@pytest.mark.parametrize(("pages", "expected"), [([0, 1, 2], [[0, 1, 2]]), ([0, 2, 3], [[2, 3]]), ([4], [])])
def test_sliver_runs(pages: list[int], expected: list[list[int]]) -> None:
    slivers = [
        DetectedSeal(
            page=p,
            bbox=(1600, 900, 1654, 1200),
            shape="round",
            partial=True,
            edge="right",
            confidence=0.9,
            centre=(1700.0, 1050.0),
            axes=(160.0, 160.0),
            angle=0.0,
            ink=np.zeros((300, 54), np.float32),
        )
        for p in pages
    ]
    assert sliver_runs(slivers, 6) == expected
