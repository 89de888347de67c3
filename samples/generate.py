"""The sample-packet generator: scanned, stamped packets for every profile, with exact ground truth.

One packet = one image-only PDF (as a scanner makes it) and ``<stem>.truth.json``:
the packet report the pipeline should write for it (REPORT_FORMAT.md, same
keys and normalisation) plus ``expected_findings: [{code, field}]`` for the
faults injected into it. The same seed and arguments give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

from models.dates import age_on
from models.profile import get_profile
from models.report import (
    APPLICANT_FIELDS,
    Applicant,
    Apprentice,
    Certificate,
    CertificateKind,
    CompetitionCategory,
    CrossPageSeal,
    Edge,
    Honor,
    PacketReport,
    PacketStatus,
    Page,
    Scope,
    Seal,
    SealColor,
    SealShape,
)
from models.report import Competition as CompetitionRecord
from models.report import Field as FieldRecord
from samples import documents, people, records, scan, seals
from samples.documents import Entry, Packet, Record
from samples.draw import Sheet
from samples.layouts import LAYOUTS, PacketLayout

PROFILE_ORDER = ("luzhou-2019", "liaocheng-2019", "shizhong-2020", "chongqing-bayu", "wenzhou-7")
DPI = 200
PX_PER_PT = DPI / 72.0
OTHER_CANDIDATES = 2
APPRENTICES = 4
DEFAULT_REFERENCE = dt.date(2021, 7, 21)
MIN_SCAN_STRENGTH, MAX_SCAN_STRENGTH = 0.15, 0.8
SLIVER_HEIGHT_RANGE = (0.3, 0.6)
SWAPPED_SLIVER_SHIFT = 0.12
SEAL_DEPARTMENTS = (None, None, "人事专用章")
FEMALE_SHARE = 0.3

DATA_FAULTS = (
    "ID_NUMBER_INVALID",
    "BIRTH_MISMATCH",
    "GENDER_MISMATCH",
    "AGE_OVER_LIMIT",
    "QUALIFICATION_BELOW_MINIMUM",
    "CRITERIA_NOT_MET",
    "SUMMARY_MISMATCH",
    "CERTIFICATE_MISMATCH",
    "MISSING_DOCUMENT",
    "COPY_NOT_CERTIFIED",
    "APPRENTICE_INVALID",
)
STAMP_FAULTS = (
    "MISSING_SEAL",
    "CROSS_PAGE_SEAL_MISSING",
    "CROSS_PAGE_SEAL_BROKEN",
    "DUPLICATE_SEAL_IMPRESSION",
    "SEAL_OWNER_MISMATCH",
)
FAULT_CODES = DATA_FAULTS + STAMP_FAULTS
SUMMARY_DOC_TYPES = ("overview_sheet", "summary_sheet")
SUMMARY_FIELDS = ("name", "id_number", "birth_month", "qualification_level", "employer")


@dataclass(frozen=True)
class Generated:
    """One generated packet: its files and what was injected into it."""

    pdf: Path
    truth: Path
    profile: str
    faults: tuple[str, ...]


@dataclass
class Build:
    """A packet being built: its data, the expected findings, and what was stamped where."""

    profile: str
    rng: random.Random
    nprng: np.random.Generator
    faults: tuple[str, ...]
    expected: list[dict[str, str | None]] = field(default_factory=list)
    seals: list[Seal] = field(default_factory=list)
    cross_page_seals: list[CrossPageSeal] = field(default_factory=list)

    def expect(self, code: str, field_name: str | None = None) -> None:
        self.expected.append({"code": code, "field": field_name})


def applicable_faults(profile: str) -> tuple[str, ...]:
    """The fault codes a packet of ``profile`` can show (its documents and rules allow them)."""
    layout, rules = LAYOUTS[profile], get_profile(profile)
    needs: dict[str, bool] = {
        "AGE_OVER_LIMIT": bool(rules.max_age),
        "QUALIFICATION_BELOW_MINIMUM": rules.min_qualification is not None,
        "SUMMARY_MISMATCH": bool(layout.sheets),
        "CERTIFICATE_MISMATCH": "certificate" in layout.documents,
        "COPY_NOT_CERTIFIED": "certificate" in layout.documents or "id_copy" in layout.documents,
        "APPRENTICE_INVALID": "apprentice_sheet" in layout.documents,
        "CROSS_PAGE_SEAL_MISSING": "application_form" in rules.cross_page_seal,
        "CROSS_PAGE_SEAL_BROKEN": "application_form" in rules.cross_page_seal,
    }
    return tuple(code for code in FAULT_CODES if needs.get(code, True))


def generate(
    n: int,
    seed: int,
    out_dir: Path,
    profile: str | None = None,
    faults: Sequence[str] = (),
    clean_ratio: float = 0.3,
    on_packet: Callable[[Generated], None] | None = None,
) -> list[Generated]:
    """Write ``n`` packets to ``out_dir``; profiles in turn unless one is given.

    Args:
        n: Number of packets.
        seed: Seed of everything random; the same arguments give byte-identical files.
        out_dir: Output folder.
        profile: Only this profile.
        faults: Inject these codes (those the profile allows) into every packet; by default each packet
            is clean with probability ``clean_ratio`` and otherwise carries one random applicable fault.
        clean_ratio: Share of clean packets when ``faults`` is empty.
        on_packet: Called after each packet is written.
    """
    unknown = sorted(set(faults) - set(FAULT_CODES))
    if unknown:
        raise ValueError(f"unknown fault codes {unknown}; known: {', '.join(FAULT_CODES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(n):
        profile_id = profile or PROFILE_ORDER[index % len(PROFILE_ORDER)]
        rng = random.Random(f"dossier-samples:{seed}:{index}:{profile_id}")
        chosen = _choose_faults(rng, profile_id, faults, clean_ratio)
        stem = f"{profile_id}-{seed}-{index:03d}" + ("-" + "-".join(c.lower() for c in chosen) if chosen else "-clean")
        pdf_bytes, truth = build_packet(profile_id, rng, chosen, stem)
        truth["packet_id"] = hashlib.sha256(pdf_bytes).hexdigest()
        pdf, truth_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.truth.json"
        pdf.write_bytes(pdf_bytes)
        truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        # What was really injected (a fault a packet's documents cannot show is left out).
        injected = tuple(dict.fromkeys(str(expected["code"]) for expected in truth["expected_findings"]))
        made.append(Generated(pdf=pdf, truth=truth_path, profile=profile_id, faults=injected))
        if on_packet is not None:
            on_packet(made[-1])
    return made


def _choose_faults(rng: random.Random, profile: str, asked: Sequence[str], clean_ratio: float) -> tuple[str, ...]:
    allowed = applicable_faults(profile)
    if asked:
        return tuple(code for code in asked if code in allowed)
    if rng.random() < clean_ratio:
        return ()
    return (rng.choice(allowed),)


def build_packet(profile: str, rng: random.Random, faults: tuple[str, ...], stem: str) -> tuple[bytes, dict[str, Any]]:
    """The PDF bytes and the truth of one packet."""
    build = Build(profile=profile, rng=rng, nprng=np.random.default_rng(rng.randrange(2**32)), faults=faults)
    layout = LAYOUTS[profile]
    packet, applicant = _packet_data(build, layout)
    doc = pymupdf.open()
    sheets = _draw_documents(doc, packet, build)
    drawn = [doc.load_page(number) for number in range(len(sheets))]
    images = [_rasterise(page) for page in drawn]
    printed = [_printed_lines(page) for page in drawn]
    doc.close()
    _stamp_all(build, packet, sheets, images)
    scanned, matrices = _scan_all(build, images)
    truth = _truth(build, packet, applicant, sheets, scanned, matrices, stem)
    truth["page_text"] = [
        [{"text": text, "bbox": scan.map_box(matrix, box)} for text, box in lines]
        for lines, matrix in zip(printed, matrices, strict=True)
    ]
    return _image_pdf(scanned, build), truth


def _printed_lines(page: pymupdf.Page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every line of text printed on a drawn page (seals are images, not text), with its 200-DPI box."""
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", ()):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                x0, y0, x1, y1 = (v * PX_PER_PT for v in line["bbox"])
                lines.append((text, (x0, y0, x1, y1)))
    return lines


# ----------------------------------------------------------------------------------------------------------
# data and data faults
# ----------------------------------------------------------------------------------------------------------


def _packet_data(build: Build, layout: PacketLayout) -> tuple[Packet, Any]:
    rules = get_profile(build.profile)
    reference = rules.reference_date or DEFAULT_REFERENCE
    rng = build.rng
    gender: people.Gender = "女" if rng.random() < FEMALE_SHARE else "男"
    limit = rules.max_age.get(gender)
    ages = (limit + 1, limit + 4) if "AGE_OVER_LIMIT" in build.faults and limit else (32, (limit or 58) - 2)
    applicant = people.make_person(rng, build.profile, reference, age_range=ages, gender=gender)
    if "AGE_OVER_LIMIT" in build.faults:
        build.expect("AGE_OVER_LIMIT", "birth_month")
    applicant = _person_faults(build, applicant)
    others = [people.make_person(rng, build.profile, reference) for _ in range(OTHER_CANDIDATES)]
    form_style = records.pick_level_style(rng)
    form = records.person_record(applicant, layout.form.date_format, form_style)
    sheet_format = layout.sheets[0].date_format if layout.sheets else layout.form.date_format
    row_style = records.pick_level_style(rng)
    rows = [records.person_record(p, sheet_format, row_style) for p in others]
    applicant_row = rng.randrange(len(rows) + 1)
    rows.insert(applicant_row, records.person_record(applicant, sheet_format, row_style))
    packet = Packet(
        layout=layout,
        form=form,
        rows=rows,
        applicant_row=applicant_row,
        apprentices=[_apprentice_record(people.make_apprentice(rng, applicant, reference)) for _ in range(APPRENTICES)],
        competitions=[c.raw for c in applicant.competitions],
        honors=[h.raw for h in applicant.honors],
        experience=_experience(applicant),
        employer_seal=applicant.employer,
        recommender_seal=applicant.recommending_unit,
        certificate=_certificate_record(applicant, rng),
        id_card=_id_card_record(applicant, layout.city),
        deeds_paragraphs=_deeds(applicant, reference),
    )
    _record_faults(build, packet)
    return packet, applicant


def _person_faults(build: Build, person: Any) -> Any:
    if "ID_NUMBER_INVALID" in build.faults:
        person = dataclasses.replace(person, id_number=_wrong_check_digit(person.id_number))
        build.expect("ID_NUMBER_INVALID", "id_number")
    if "QUALIFICATION_BELOW_MINIMUM" in build.faults:
        person = dataclasses.replace(person, qualification_level="高级工")
        build.expect("QUALIFICATION_BELOW_MINIMUM", "qualification_level")
    if "CRITERIA_NOT_MET" in build.faults:
        person = dataclasses.replace(person, competitions=[], honors=[])
        build.expect("CRITERIA_NOT_MET", None)
    if "BIRTH_MISMATCH" in build.faults:
        # The form says another month than the ID number; every document agrees with the form.
        shifted = (person.birth.replace(day=1) + dt.timedelta(days=build.rng.choice((45, 75, 400)))).replace(day=1)
        person = dataclasses.replace(person, birth=shifted)
        build.expect("BIRTH_MISMATCH", "birth_month")
    if "GENDER_MISMATCH" in build.faults:
        person = dataclasses.replace(person, gender="女" if person.gender == "男" else "男")
        build.expect("GENDER_MISMATCH", "gender")
    return person


def _record_faults(build: Build, packet: Packet) -> None:
    rng = build.rng
    if "SUMMARY_MISMATCH" in build.faults:
        columns = {key for sheet in packet.layout.sheets for _, key, _ in sheet.columns}
        key = rng.choice([k for k in SUMMARY_FIELDS if k in columns])
        row = packet.rows[packet.applicant_row]
        row[key] = _altered(key, row[key], rng)
        build.expect("SUMMARY_MISMATCH", key)
    if "CERTIFICATE_MISMATCH" in build.faults:
        key = rng.choice(("name", "id_number", "qualification_level"))
        cert_key = "holder" if key == "name" else key
        packet.certificate[cert_key] = _altered(key, packet.certificate[cert_key], rng)
        build.expect("CERTIFICATE_MISMATCH", key)
    if "APPRENTICE_INVALID" in build.faults:
        apprentice = packet.apprentices[rng.randrange(len(packet.apprentices))]
        apprentice["id_number"] = records.plain(_wrong_check_digit(apprentice["id_number"].value))
        build.expect("APPRENTICE_INVALID", "id_number")
    if "MISSING_DOCUMENT" in build.faults:
        optional = [d for d in packet.layout.documents if d != "application_form"]
        missing = rng.choice(optional)
        packet.layout = dataclasses.replace(
            packet.layout, documents=tuple(d for d in packet.layout.documents if d != missing)
        )
        build.expect("MISSING_DOCUMENT", missing)
    if "COPY_NOT_CERTIFIED" in build.faults:
        copies = [d for d in ("certificate", "id_copy") if d in packet.layout.documents]
        packet.uncertified = {rng.choice(copies)}
        build.expect("COPY_NOT_CERTIFIED", next(iter(packet.uncertified)))


def _wrong_check_digit(id_number: str) -> str:
    right = id_number[-1]
    wrong = "0123456789X"[("0123456789X".index(right) + 3) % 11]
    return id_number[:-1] + wrong


ALTERNATIVE_CHARS = "明华建国志强伟军平涛"


def _altered(key: str, entry: Entry, rng: random.Random) -> Entry:
    """The same value with one realistic slip: a name character, an ID digit, a month, the level, the unit."""
    if key == "name":
        position = rng.randrange(1, len(entry.value))
        choices = [c for c in ALTERNATIVE_CHARS if c != entry.value[position]]
        text = entry.value[:position] + rng.choice(choices) + entry.value[position + 1 :]
        return records.plain(text)
    if key == "id_number":
        position = rng.randrange(6, 14)
        digit = str((int(entry.value[position]) + rng.randrange(1, 9)) % 10)
        text = entry.value[:position] + digit + entry.value[position + 1 :]
        return records.plain(text)
    if key == "birth_month":
        year, month = (int(part) for part in entry.value.split("-"))
        month = month % 12 + 1
        raw = entry.raw.replace(f"{entry.value[5:]}", f"{month:02d}") if "." in entry.raw else f"{year}年{month}月"
        return Entry(value=f"{year:04d}-{month:02d}", raw=raw)
    if key == "qualification_level":
        lower = "技师" if entry.value == "高级技师" else "高级技师"
        return Entry(value=lower, raw=lower)
    return records.plain(
        entry.value.replace("有限公司", "集团有限公司") if "有限公司" in entry.value else entry.value + "分公司"
    )


def _apprentice_record(apprentice: Any) -> Record:
    return {
        "name": records.plain(apprentice.name),
        "age": records.plain(str(apprentice.age)),
        "occupation": records.plain(apprentice.occupation),
        "qualification_level": records.plain(apprentice.qualification_level),
        "position": records.plain(apprentice.position),
        "id_number": records.plain(apprentice.id_number),
        "phone": records.plain(apprentice.phone),
    }


def _certificate_record(person: Any, rng: random.Random) -> Record:
    issued = person.qualification_date
    return {
        "holder": records.plain(person.name),
        "gender": records.plain(person.gender),
        "id_number": records.plain(person.id_number),
        "occupation": records.plain(person.occupation),
        "qualification_level": records.level(person.qualification_level, "{grade}/{level}"),
        "certificate_number": records.plain(f"{rng.randrange(10**17, 10**18)}"),
        "issue_date": Entry(value=f"{issued:%Y-%m}", raw=f"{issued.year}年{issued.month}月{issued.day}日"),
    }


def _id_card_record(person: Any, city: str) -> Record:
    birth = people.birth_from_id(person.id_number)
    return {
        "holder": records.plain(person.name),
        "gender": records.plain("男" if int(person.id_number[16]) % 2 else "女"),
        "birth_date": Entry(value=f"{birth:%Y-%m}", raw=f"{birth.year}年{birth.month}月{birth.day}日"),
        "ethnicity": records.plain(person.ethnicity.removesuffix("族")),
        "address": records.plain(f"{city}市人民路{len(person.name) * 37 % 200 + 1}号"),
        "id_number": records.plain(person.id_number),
        "issuer": records.plain(f"{city}市公安局"),
        "valid": records.plain("2016.03.12-2036.03.12"),
    }


def _experience(person: Any) -> list[tuple[str, str]]:
    start = person.work_start
    return [
        (f"{start.year - 3}.09-{start.year}.07", f"{person.employer[:2]}市技工学校{person.occupation}专业学习"),
        (f"{start.year}.07-至今", f"{person.employer}{person.occupation}"),
    ]


def _deeds(person: Any, reference: dt.date) -> list[str]:
    age = age_on(person.birth, reference)
    honours = "、".join(h.title for h in person.honors) or "多项企业荣誉"
    first = (
        f"{person.name}，{person.gender}，{age}岁，{person.education}学历，{person.political_status}，{person.ethnicity}。"
        f"{person.employer}{person.occupation}{person.qualification_level}，先后荣获{honours}等荣誉称号。"
    )
    results = "；".join(c.raw for c in person.competitions) or "多次参加企业技能比武"
    return [
        first,
        f"该同志扎根生产一线，刻苦钻研技术，{results}。",
        "他带头开展技术攻关和技术革新，解决生产难题多项，为企业节约成本百余万元；"
        "坚持传帮带，所带徒弟多人成为企业技能骨干。",
    ]


# ----------------------------------------------------------------------------------------------------------
# drawing, stamping, scanning
# ----------------------------------------------------------------------------------------------------------


def _draw_documents(doc: pymupdf.Document, packet: Packet, build: Build) -> list[Sheet]:
    layout = packet.layout
    sheets: list[Sheet] = []
    sheet_layouts = {sheet.doc_type: sheet for sheet in layout.sheets}
    for doc_type in layout.documents:
        if doc_type == "application_form":
            sheets += documents.application_form(doc, packet)
        elif doc_type in sheet_layouts:
            sheets += documents.summary_sheet(doc, packet, sheet_layouts[doc_type])
        elif doc_type == "apprentice_sheet":
            sheets += documents.apprentice_sheet(doc, packet)
        elif doc_type == "deeds":
            sheets += documents.deeds(doc, packet)
        elif doc_type == "certificate":
            sheets += documents.certificate_copy(doc, packet)
        elif doc_type == "id_copy":
            sheets += documents.id_copy(doc, packet)
        elif doc_type == "pledge":
            sheets += documents.letter(doc, packet, "pledge", "承诺书", _PLEDGE, f"承诺人：{packet.form['name'].raw}")
        elif doc_type == "recommendation":
            paragraphs = [
                f"经研究，同意推荐{packet.form['name'].raw}同志参加首席技师选拔。",
                *packet.deeds_paragraphs[:1],
            ]
            sheets += documents.letter(doc, packet, "recommendation", "推荐报告", paragraphs, packet.recommender_seal)
    return sheets


_PLEDGE = [
    "本人承诺所提交的申报材料及相关证明材料真实、准确、完整，不存在弄虚作假行为。",
    "如有不实，本人愿意承担相应责任，并自愿取消评选资格。",
]


def _rasterise(page: pymupdf.Page) -> np.ndarray:
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(PX_PER_PT, PX_PER_PT), colorspace=pymupdf.csRGB, alpha=False)
    return np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3).copy()


SEAL_SIZES_MM: dict[seals.SealShape, tuple[float, float]] = {
    "round": (42.0, 42.0),
    "oval": (45.0, 30.0),
    "square": (20.0, 20.0),
}
SEAL_JITTER_PT = 8.0


def _seal_spec(build: Build, unit: str, shape: seals.SealShape = "round") -> seals.SealSpec:
    if shape == "square":
        return seals.SealSpec(shape="square", legend=unit, centre_text=None, star=False, size_mm=SEAL_SIZES_MM[shape])
    centre = "人事专用章" if shape == "oval" else build.rng.choice(SEAL_DEPARTMENTS)
    return seals.SealSpec(shape=shape, legend=unit, centre_text=centre, star=True, size_mm=SEAL_SIZES_MM[shape])


def _stamp_all(build: Build, packet: Packet, sheets: list[Sheet], images: list[np.ndarray]) -> None:
    spots = [(index, spot) for index, sheet in enumerate(sheets) for spot in sheet.seal_spots if spot.unit]
    form_spots = [i for i, (page, _) in enumerate(spots) if sheets[page].doc_type == "application_form"]
    skipped = build.rng.choice(form_spots) if "MISSING_SEAL" in build.faults and form_spots else None
    if skipped is not None:
        build.expect("MISSING_SEAL", None)
    foreign = build.rng.choice(form_spots) if "SEAL_OWNER_MISMATCH" in build.faults and form_spots else None
    if foreign is not None:
        build.expect("SEAL_OWNER_MISMATCH", None)
    paste_unit = _paste_unit(build, packet, [spot for n, (_, spot) in enumerate(spots) if n not in (skipped, foreign)])
    pasted: tuple[seals.SealSpec, seals.SealImage] | None = None
    for number, (page, spot) in enumerate(spots):
        if number == skipped:
            continue
        unit = _other_unit(spot.unit) if number == foreign else spot.unit
        spec = _seal_spec(build, unit, spot.shape)
        seal = seals.render_seal(spec, build.nprng, dpi=DPI)
        if number != foreign and spot.unit == paste_unit and spot.shape == "round":
            if pasted is None:
                pasted = (spec, seal)
            else:
                spec, seal = pasted  # the very same pixels again: a pasted image, not a second stamping
                build.expect("DUPLICATE_SEAL_IMPRESSION", None)
        jitter = (build.rng.uniform(-1, 1) * SEAL_JITTER_PT, build.rng.uniform(-1, 1) * SEAL_JITTER_PT)
        centre = ((spot.centre[0] + jitter[0]) * PX_PER_PT, (spot.centre[1] + jitter[1]) * PX_PER_PT)
        result = seals.stamp(images[page], seal, centre)
        build.seals.append(_seal_record(page, result, spec))
    _cross_page_seal(build, packet, sheets, images)


def _paste_unit(build: Build, packet: Packet, spots: list[Any]) -> str | None:
    """The unit whose round seal is pasted twice (the employer's if it is stamped twice, else another's)."""
    if "DUPLICATE_SEAL_IMPRESSION" not in build.faults:
        return None
    counts = Counter(spot.unit for spot in spots if spot.shape == "round")
    repeated = [unit for unit, count in counts.items() if count >= 2]
    return packet.employer_seal if packet.employer_seal in repeated else (repeated[0] if repeated else None)


def _other_unit(unit: str) -> str:
    return unit[:2] + "市宏达机械制造有限公司" if not unit.endswith("局") else unit[:2] + "市总工会"


def _seal_record(page: int, result: Any, spec: seals.SealSpec, readable: bool = True) -> Seal:
    text = spec.legend + (spec.centre_text or "") if readable else None
    return Seal(
        page=page,
        bbox=[float(v) for v in result.bbox],
        shape=SealShape(spec.shape),
        color=SealColor.RED,
        text=text,
        partial=result.partial,
        edge=Edge(result.edge) if result.edge else None,
        confidence=1.0,
    )


def _cross_page_seal(build: Build, packet: Packet, sheets: list[Sheet], images: list[np.ndarray]) -> None:
    pages = [i for i, sheet in enumerate(sheets) if sheet.doc_type == "application_form"]
    if len(pages) < 2:
        return
    if "CROSS_PAGE_SEAL_MISSING" in build.faults:
        build.expect("CROSS_PAGE_SEAL_MISSING", None)
        build.cross_page_seals.append(
            CrossPageSeal(pages=pages, edge=Edge.RIGHT, complete=False, missing_pages=pages, confidence=1.0)
        )
        return
    spec = dataclasses.replace(_seal_spec(build, packet.employer_seal), centre_text=None)
    seal = seals.render_seal(spec, build.nprng, dpi=DPI)
    slivers = seals.cross_page_slivers(seal, len(pages))
    height = images[pages[0]].shape[0]
    centre_y = build.rng.uniform(*SLIVER_HEIGHT_RANGE) * height
    swapped = build.rng.choice(pages[1:]) if "CROSS_PAGE_SEAL_BROKEN" in build.faults else None
    for page, sliver in zip(pages, slivers, strict=True):
        y = centre_y
        if page == swapped:
            # The page was replaced after stamping: its sliver comes from another stamping, elsewhere.
            other = seals.render_seal(spec, build.nprng, dpi=DPI)
            sliver = seals.cross_page_slivers(other, len(pages))[pages.index(page)]
            y = centre_y + SWAPPED_SLIVER_SHIFT * height
        result = seals.stamp_sliver(images[page], sliver, seal.color, y)
        # A sliver carries a few characters of the legend at most: the truth calls it unreadable.
        build.seals.append(_seal_record(page, result, spec, readable=False))
    missing = [swapped] if swapped is not None else []
    if missing:
        build.expect("CROSS_PAGE_SEAL_BROKEN", None)
    build.cross_page_seals.append(
        CrossPageSeal(pages=pages, edge=Edge.RIGHT, complete=not missing, missing_pages=missing, confidence=1.0)
    )


def _scan_all(build: Build, images: list[np.ndarray]) -> tuple[list[tuple[np.ndarray, int]], list[np.ndarray]]:
    scanned, matrices = [], []
    for image in images:
        strength = build.rng.uniform(MIN_SCAN_STRENGTH, MAX_SCAN_STRENGTH)
        effects = scan.random_effects(build.nprng, strength)
        page, matrix = scan.scan(image, effects, build.nprng)
        scanned.append((page, effects.jpeg_quality))
        matrices.append(matrix)
    return scanned, matrices


def _image_pdf(scanned: list[tuple[np.ndarray, int]], build: Build) -> bytes:
    doc = pymupdf.open()
    for image, quality in scanned:
        height, width = image.shape[:2]
        page = doc.new_page(width=width / PX_PER_PT, height=height / PX_PER_PT)
        page.insert_image(page.rect, stream=scan.encode_jpeg(image, quality))
    doc.set_metadata({"producer": "dossier samples", "creator": "dossier samples"})
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return bytes(data)


# ----------------------------------------------------------------------------------------------------------
# truth
# ----------------------------------------------------------------------------------------------------------

CONTRACT_KEYS = APPLICANT_FIELDS


def _truth(
    build: Build,
    packet: Packet,
    applicant: Any,
    sheets: list[Sheet],
    scanned: list[tuple[np.ndarray, int]],
    matrices: list[np.ndarray],
    stem: str,
) -> dict[str, Any]:
    placed = _placements(sheets, matrices)
    form_keys = {key: entry for key, entry in packet.form.items() if key in CONTRACT_KEYS}
    report = PacketReport(
        packet_id="0" * 64,  # the PDF's SHA-256, set once its bytes exist
        source=f"{stem}.pdf",
        profile=build.profile,
        status=PacketStatus.OK,
        pages=[
            Page(
                index=i,
                doc_type=sheet.doc_type,
                width=image.shape[1],
                height=image.shape[0],
                rotation=0,
                ocr_engine=None,
            )
            for i, (sheet, (image, _)) in enumerate(zip(sheets, scanned, strict=True))
        ],
        applicant=_applicant(form_keys, placed, "applicant", applicant),
        summary_rows=_summary_rows(packet, placed, sheets),
        apprentices=_apprentices(packet, placed),
        certificates=_certificates(packet, placed, sheets),
        seals=[s.model_copy(update={"bbox": scan.map_box(matrices[s.page], _box(s.bbox))}) for s in build.seals],
        cross_page_seals=build.cross_page_seals,
    )
    truth: dict[str, Any] = json.loads(report.to_json())
    truth["expected_findings"] = build.expected
    truth["clean"] = not build.expected
    return truth


Placement = tuple[int, list[float], str]


def _box(bbox: list[float]) -> tuple[float, float, float, float]:
    return bbox[0], bbox[1], bbox[2], bbox[3]


def _placements(sheets: list[Sheet], matrices: list[np.ndarray]) -> dict[str, Placement]:
    """Where each truth key was first written: page, 200-DPI box after scanning, text."""
    placed: dict[str, Placement] = {}
    for page, sheet in enumerate(sheets):
        for item in sheet.placed:
            if item.key in placed:
                continue
            box = (
                item.rect.x0 * PX_PER_PT,
                item.rect.y0 * PX_PER_PT,
                item.rect.x1 * PX_PER_PT,
                item.rect.y1 * PX_PER_PT,
            )
            placed[item.key] = (page, scan.map_box(matrices[page], box), item.text)
    return placed


def _field(entry: Entry | None, where: Placement | None) -> FieldRecord | None:
    if entry is None or where is None:
        return None
    page, bbox, text = where
    return FieldRecord(value=entry.value, confidence=1.0, page=page, bbox=bbox, raw=text)


def _applicant(record: Record, placed: dict[str, Placement], prefix: str, person: Any) -> Applicant:
    fields = {key: _field(record.get(key), placed.get(f"{prefix}.{key}")) for key in CONTRACT_KEYS}
    competitions = [
        CompetitionRecord(
            year=c.year,
            scope=Scope(c.scope),
            category=CompetitionCategory(c.category) if c.category else None,
            event=c.event,
            rank=c.rank,
            raw=c.raw,
        )
        for c in (person.competitions if person is not None else [])
    ]
    honors = [Honor(title=h.title, year=h.year, raw=h.raw) for h in (person.honors if person is not None else [])]
    return Applicant(**fields, competitions=competitions, honors=honors)


def _summary_rows(packet: Packet, placed: dict[str, Placement], sheets: list[Sheet]) -> list[Applicant]:
    """One row object per candidate row of each summary sheet, in page order."""
    rows = []
    for doc_type in dict.fromkeys(s.doc_type for s in sheets if s.doc_type in SUMMARY_DOC_TYPES):
        for number, record in enumerate(packet.rows):
            prefix = f"{doc_type}[{number}]"
            fields = {key: _field(record.get(key), placed.get(f"{prefix}.{key}")) for key in CONTRACT_KEYS}
            rows.append(Applicant(**fields))
    return rows


def _apprentices(packet: Packet, placed: dict[str, Placement]) -> list[Apprentice]:
    if "apprentice_sheet" not in packet.layout.documents:
        return []
    keys = Apprentice.model_fields.keys()
    return [
        Apprentice(**{key: _field(record.get(key), placed.get(f"apprentices[{n}].{key}")) for key in keys})
        for n, record in enumerate(packet.apprentices)
    ]


def _certificates(packet: Packet, placed: dict[str, Placement], sheets: list[Sheet]) -> list[Certificate]:
    found = []
    for page, sheet in enumerate(sheets):
        if sheet.doc_type == "certificate":
            record, prefix, kind = packet.certificate, "certificate", CertificateKind.QUALIFICATION
        elif sheet.doc_type == "id_copy":
            record, prefix, kind = packet.id_card, "id_card", CertificateKind.ID_CARD
        else:
            continue
        keys = Certificate.model_fields.keys() - {"kind", "page", "certified_copy"}
        fields = {key: _field(record.get(key), placed.get(f"{prefix}.{key}")) for key in keys}
        certified = sheet.doc_type not in packet.uncertified
        found.append(Certificate(kind=kind, page=page, certified_copy=certified, **fields))
    return found
