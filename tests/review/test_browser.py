"""End to end in Debian's Chromium, driven by Playwright: sign in, open the riskiest packet, find a field on the
page, correct it, dismiss a finding, approve, export XLSX and read it back. Screenshots of the key pages are saved
(to ``DOSSIER_SCREENSHOTS`` when set, which is how the README's are made)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.review.conftest import PASSWORD, ReviewSite

pytestmark = pytest.mark.ocr  # the site's packets are processed by the real pipeline

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CORRECTED_EMPLOYER = "泸州市更正后的机械制造有限公司"
SEVERITY_BY_LABEL = {"疑似造假": 4, "错误": 3, "警告": 2, "提示": 1, "无问题": 0}


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DOSSIER_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=%2F")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/")


def test_a_reviewer_checks_corrects_decides_and_exports(
    browser: Browser, live_server: str, review_site: ReviewSite, screenshots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.screenshot(path=str(screenshots / "login.png"))
    sign_in(page, live_server, "reviewer")

    # The queue: riskiest first.
    labels = page.locator("table.queue tbody tr td:first-child .badge").all_inner_texts()
    ranks = [SEVERITY_BY_LABEL[label] for label in labels]
    assert len(ranks) == 3 and ranks == sorted(ranks, reverse=True) and ranks[0] >= SEVERITY_BY_LABEL["错误"]
    page.screenshot(path=str(screenshots / "queue.png"), full_page=True)

    page.locator("table.queue tbody tr").first.locator("a.open").click()
    expect(page.locator("h2", has_text="申报表信息")).to_be_visible()
    packet_url = page.url
    packet_id = packet_url.rsplit("/", 1)[-1]
    report = review_site.store.report(packet_id)
    assert report is not None

    # Click a field: its box on the page lights up and comes into view.
    name_link = page.locator("#field-name th a")
    name_link.click()
    name_box = page.locator('rect.mark.field[data-ref="name"]')
    expect(name_box).to_have_class("mark field active")
    expect(name_box).to_be_in_viewport()
    page.screenshot(path=str(screenshots / "packet.png"))

    # Correct a field: the correction and the original are both shown, and both kept.
    row = page.locator("#field-employer")
    original = row.locator(".value").inner_text()
    row.locator("summary", has_text="更正").click()
    row.locator('input[name="value"]').fill(CORRECTED_EMPLOYER)
    row.locator('input[name="reason"]').fill("OCR 误读，按原件更正")
    row.get_by_role("button", name="保存更正").click()
    expect(page.locator("#field-employer .value")).to_have_text(CORRECTED_EMPLOYER)
    expect(page.locator("#field-employer .was")).to_contain_text(f"原识别：{original}")

    # Dismiss a finding with a reason.
    finding = page.locator("#finding-0")
    finding.locator('input[name="reason"]').fill("已核对原件，印章无误")
    finding.get_by_role("button", name="驳回").click()
    expect(page.locator("#finding-0 .judged")).to_contain_text("已驳回")
    expect(page.locator("#finding-0 .judged")).to_contain_text("已核对原件，印章无误")

    # Approve.
    page.locator('input[name="verdict"][value="approved"]').check()
    page.get_by_role("button", name="保存结论").click()
    expect(page.locator("#verdict-now")).to_have_text("通过")
    expect(page.locator(".history")).to_contain_text("packet.verdict")

    # Export XLSX from the queue, filtered to this packet's notice, and read it back.
    page.goto(f"{live_server}/?profile={report.profile}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    saved = tmp_path / "export.xlsx"
    download_info.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    cells = [str(cell) for row_values in sheet.iter_rows(values_only=True) for cell in row_values if cell]
    assert report.applicant.name is not None and report.applicant.name.value in cells
    assert CORRECTED_EMPLOYER in cells  # every notice's table has the employer: the correction is what is exported
    context.close()
