"""Checks of the packet's documents and seals: required documents, certified copies, sealed boxes and whose
seal is in them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractors.checks.base import finding
from extractors.forms.labels import label_form
from extractors.units import OTHER_UNIT, SAME_UNIT, unit_similarity
from models.profile import Profile
from models.report import (
    DOC_TYPE_LABELS,
    CertificateKind,
    DocType,
    Finding,
    FindingCode,
    PacketReport,
    Seal,
    Severity,
)
from models.stages import Box, PacketFacts

COPY_KINDS = {CertificateKind.ID_CARD: DocType.ID_COPY}
EMPLOYER_BOXES = ("所在单位", "申报单位", "工作单位", "单位意见")
"""Words naming the applicant's employer in a box label (所在单位意见, 申报单位推荐意见, 单位意见)."""
RECOMMENDER_BOXES = ("推荐",)
"""Words naming the recommending unit in a box label (推荐单位意见, 推荐意见, 推荐单位（盖章）)."""
_BOX_OWNERS = (("employer", EMPLOYER_BOXES), ("recommending_unit", RECOMMENDER_BOXES))
SEAL_REACH = 0.5
"""A seal certifies a box when this share of the seal's box lies inside the box's region."""
LEGEND_CONFIDENT = 0.6
"""Least seal confidence for a legend that names another unit to be an error rather than a warning."""


def check_required_documents(report: PacketReport, profile: Profile) -> list[Finding]:
    """MISSING_DOCUMENT: a document the notice requires is not among the packet's pages."""
    present = {page.doc_type for page in report.pages}
    unknown_pages = [page.index for page in report.pages if page.doc_type == DocType.OTHER]
    found: list[Finding] = []
    for doc_type in profile.required_documents:
        if doc_type in present:
            continue
        # A page the classifier could not place might be the document: then the reviewer should look.
        level = Severity.WARNING if unknown_pages else Severity.ERROR
        found.append(
            finding(
                FindingCode.MISSING_DOCUMENT,
                level,
                f"缺少通知要求的{DOC_TYPE_LABELS[doc_type]}。",
                field_name=doc_type.value,
                pages=unknown_pages,
                evidence={"required": doc_type.value, "unclassified_pages": unknown_pages},
            )
        )
    return found


def check_copies(report: PacketReport, profile: Profile) -> list[Finding]:
    """COPY_NOT_CERTIFIED: a copy lacks 与原件一致 or a seal (an error where the notice requires both)."""
    found: list[Finding] = []
    for copy in report.certificates:
        doc_type = COPY_KINDS.get(copy.kind, DocType.CERTIFICATE)
        # Where the notice does not ask for it, an uncertified copy is only pointed out.
        required = doc_type in profile.certified_copies
        sealed = any(seal.page == copy.page for seal in report.seals)
        missing = [what for what, ok in (("与原件一致", copy.certified_copy), ("印章", sealed)) if not ok]
        if not missing:
            continue
        found.append(
            finding(
                FindingCode.COPY_NOT_CERTIFIED,
                Severity.ERROR if required else Severity.INFO,
                f"{DOC_TYPE_LABELS[doc_type]}未注明{'、'.join(missing)}。"
                if "印章" not in missing
                else f"{DOC_TYPE_LABELS[doc_type]}缺少{'、'.join(missing)}。",
                field_name=doc_type.value,
                pages=[copy.page],
                evidence={
                    "certified_copy": copy.certified_copy,
                    "sealed": sealed,
                    "page": copy.page,
                    "required_by_notice": required,
                },
            )
        )
    return found


def _inside_share(seal: Seal, box: Box) -> float:
    x0, y0, x1, y1 = seal.bbox
    width = min(x1, box.bbox[2]) - max(x0, box.bbox[0])
    height = min(y1, box.bbox[3]) - max(y0, box.bbox[1])
    area = (x1 - x0) * (y1 - y0)
    return width * height / area if width > 0 and height > 0 and area > 0 else 0.0


def seals_in(box: Box, seals: Sequence[Seal]) -> list[Seal]:
    """The whole (not 骑缝章) seals stamped in a box's region."""
    return [
        seal for seal in seals if seal.page == box.page and not seal.partial and _inside_share(seal, box) >= SEAL_REACH
    ]


BOILERPLATE = re.compile(r"[()（）:：\s\d]|盖章|公章|签字|签名|负责人|年|月|日")
"""What an opinion box prints before anyone fills it in (（盖章） 年 月 日 负责人签字)."""


def _filled(box: Box, seals: Sequence[Seal]) -> bool:
    """Someone wrote in the box: text beyond the printed boilerplate that is not a seal's legend."""
    if box.filled:
        return True
    for text, (x0, y0, x1, y1) in box.writing:
        centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        in_seal = any(
            seal.page == box.page
            and seal.bbox[0] <= centre[0] <= seal.bbox[2]
            and seal.bbox[1] <= centre[1] <= seal.bbox[3]
            for seal in seals
        )
        if not in_seal and BOILERPLATE.sub("", text):
            return True
    return False


def _required(box: Box, profile: Profile, seals: Sequence[Seal]) -> bool:
    """A box needs a seal when the notice names it, or when a unit has filled it in (a blank box awaits the jury)."""
    label = label_form(box.label)
    return any(label_form(wanted) in label for wanted in profile.sealed_boxes) or _filled(box, seals)


def _expected_unit(box: Box, report: PacketReport) -> str | None:
    """The unit that should have stamped the box: the one it names, or else the one its label names first.

    A label names its stamping unit before what the box is for: 所在单位推荐意见 is the employer's
    recommendation, 推荐单位意见 the recommending unit's opinion.
    """
    if box.unit:
        return box.unit
    label = label_form(box.label)
    named = [(label.find(word), kind) for kind, words in _BOX_OWNERS for word in words if word in label]
    if not named:
        return None
    applicant = report.applicant
    field = applicant.employer if min(named)[1] == "employer" else applicant.recommending_unit
    return field.value if field is not None else None


def check_seals(report: PacketReport, profile: Profile, facts: PacketFacts) -> list[Finding]:
    """MISSING_SEAL for required boxes without a seal; SEAL_OWNER_MISMATCH for a seal naming another unit."""
    found: list[Finding] = []
    for box in facts.boxes:
        if not _required(box, profile, report.seals):
            continue
        stamped = seals_in(box, report.seals)
        if not stamped:
            found.append(
                finding(
                    FindingCode.MISSING_SEAL,
                    Severity.ERROR,
                    f"第{box.page + 1}页“{box.label}”处未加盖印章。",
                    field_name=None,
                    pages=[box.page],
                    evidence={"box": box.label, "page": box.page, "bbox": list(box.bbox)},
                )
            )
            continue
        unit = _expected_unit(box, report)
        readable = [seal for seal in stamped if seal.text]
        if unit is None or not readable:
            continue
        # max() keeps the first of equals, as the seal order decides ties.
        similarity, best = max(
            ((unit_similarity(seal.text or "", unit), seal) for seal in readable), key=lambda pair: pair[0]
        )
        if similarity >= SAME_UNIT:
            continue
        sure_other = similarity < OTHER_UNIT and best.confidence >= LEGEND_CONFIDENT
        found.append(
            finding(
                FindingCode.SEAL_OWNER_MISMATCH,
                Severity.ERROR if sure_other else Severity.WARNING,
                f"第{box.page + 1}页“{box.label}”处印章为“{best.text}”，与应盖章单位“{unit}”不符。",
                field_name=None,
                pages=[box.page],
                evidence={
                    "box": box.label,
                    "expected_unit": unit,
                    "seal_text": best.text,
                    "similarity": round(similarity, 3),
                    "seal_bbox": best.bbox,
                    "seal_confidence": best.confidence,
                },
            )
        )
    return found


def check_documents(report: PacketReport, profile: Profile | None, facts: PacketFacts) -> list[Finding]:
    if profile is None:
        return []
    return (
        check_required_documents(report, profile) + check_copies(report, profile) + check_seals(report, profile, facts)
    )
