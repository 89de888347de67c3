"""The committed sample packet: image-only like a scan, with a truth whose ID number is real."""

from __future__ import annotations

import json

import pymupdf
from stdnum.cn import ric

from samples import sample_packets


def test_sample_packets_are_image_only_scans_with_consistent_truth() -> None:
    packets = sample_packets()
    assert packets
    for pdf in packets:
        truth = json.loads(pdf.with_suffix("").with_suffix(".truth.json").read_text(encoding="utf-8"))
        with pymupdf.open(pdf) as doc:
            assert doc.page_count == len(truth["doc_types"])
            assert all(page.get_text().strip() == "" for page in doc)  # no text layer: OCR must read it
        applicant = truth["applicant"]
        id_number = applicant["id_number"]
        ric.validate(id_number)  # raises on a bad check digit, date or region
        birth = ric.get_birth_date(id_number)
        assert applicant["birth_month"] == f"{birth.year:04d}-{birth.month:02d}"
        assert applicant["gender"] == ("男" if int(id_number[16]) % 2 else "女")
