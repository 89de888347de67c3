"""The reviewer app's security: sign-in on every route, CSRF, roles, traversal, escaping, cookies, rate limiting."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from pipeline.storage.schema import AuditEntry, Decision
from review.app import SESSION_COOKIE
from review.security import LoginLimiter, Role, authenticate, hash_password
from tests.review.conftest import HOSTILE_MESSAGE, HOSTILE_NAME, PASSWORD, PROCESSED_SAMPLES, ReviewSite

pytestmark = pytest.mark.ocr  # the site's packets are processed by the real pipeline


def client(site: ReviewSite, limiter: LoginLimiter | None = None) -> TestClient:
    return TestClient(site.app(limiter), follow_redirects=False)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} in the page"
    return found.group(1)


def sign_in(site: ReviewSite, username: str, limiter: LoginLimiter | None = None) -> tuple[TestClient, str]:
    """A client signed in as ``username``, and its CSRF token."""
    browser = client(site, limiter)
    form = browser.get("/login")
    response = browser.post(
        "/login",
        data={"username": username, "password": PASSWORD, "login_token": hidden(form.text, "login_token")},
    )
    assert response.status_code == 303, response.text
    return browser, hidden(browser.get("/").text, "csrf_token")


def concrete(path: str, site: ReviewSite) -> str:
    packet_id = site.packet_ids[PROCESSED_SAMPLES[0]]
    replacements = {"{packet_id}": packet_id, "{index}": "0", "{key}": "name", "{position}": "0", "{username}": "staff"}
    for placeholder, value in replacements.items():
        path = path.replace(placeholder, value)
    return path


def test_every_route_but_sign_in_refuses_a_request_without_a_session(review_site: ReviewSite) -> None:
    app = review_site.app()
    browser = TestClient(app, follow_redirects=False)
    checked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path == "/login":
            continue
        for method in route.methods or ():
            response = browser.request(method, concrete(route.path, review_site), headers={"accept": "text/html"})
            assert response.status_code in (303, 401), (method, route.path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            assert "申报表信息" not in response.text and HOSTILE_NAME not in response.text
            checked += 1
    assert checked >= 12
    # The page image route in particular: the scan is personal data.
    image = concrete("/packets/{packet_id}/pages/0.png", review_site)
    assert browser.get(image).status_code == 401


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(review_site: ReviewSite) -> None:
    browser, token = sign_in(review_site, "reviewer")
    packet_id = review_site.packet_ids[PROCESSED_SAMPLES[0]]
    before = review_site.store.count(Decision)
    for data in ({"verdict": "approved"}, {"verdict": "approved", "csrf_token": "forged"}):
        response = browser.post(f"/packets/{packet_id}/verdict", data=data)
        assert response.status_code == 403
    other_site = browser.post(
        f"/packets/{packet_id}/verdict",
        data={"verdict": "approved", "csrf_token": token},
        headers={"origin": "http://evil.example"},
    )
    assert other_site.status_code == 403
    assert review_site.store.count(Decision) == before


def test_the_session_cookie_is_httponly_and_samesite_strict(review_site: ReviewSite) -> None:
    browser = client(review_site)
    form = browser.get("/login")
    response = browser.post(
        "/login", data={"username": "staff", "password": PASSWORD, "login_token": hidden(form.text, "login_token")}
    )
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE))
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_sign_in_needs_the_form_token_and_the_right_password(review_site: ReviewSite) -> None:
    browser = client(review_site)
    assert browser.post("/login", data={"username": "staff", "password": PASSWORD}).status_code == 403
    form = browser.get("/login")
    wrong = browser.post(
        "/login",
        data={"username": "staff", "password": "not it at all", "login_token": hidden(form.text, "login_token")},
    )
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.headers.get("set-cookie", "")


def test_sign_in_is_rate_limited_per_user_name(review_site: ReviewSite) -> None:
    limiter = LoginLimiter(attempts=3, window=600)
    browser = client(review_site, limiter)
    statuses = []
    for _ in range(4):
        form = browser.get("/login")
        response = browser.post(
            "/login",
            data={
                "username": "reviewer",
                "password": "wrong password",
                "login_token": hidden(form.text, "login_token"),
            },
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 429]
    form = browser.get("/login")
    right = browser.post(
        "/login", data={"username": "reviewer", "password": PASSWORD, "login_token": hidden(form.text, "login_token")}
    )
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0  # even the right password waits


@pytest.mark.parametrize(
    "path",
    [
        "/packets/{packet_id}/pages/..%2F..%2F..%2Fetc%2Fpasswd.png",
        "/packets/..%2F..%2Fetc/pages/0.png",
        "/packets/{packet_id}/pages/-1.png",
        "/packets/{packet_id}/pages/99.png",
        "/packets/{packet_id}%2F..%2F..%2Fdossier.db/pages/0.png",
        "/static/..%2F..%2Fpipeline%2Fsettings.py",
    ],
)
def test_path_traversal_on_the_page_image_route_is_refused(review_site: ReviewSite, path: str) -> None:
    browser, _ = sign_in(review_site, "staff")
    response = browser.get(concrete(path, review_site))
    assert response.status_code in (400, 404, 422)
    assert "root:" not in response.text and "BaseSettings" not in response.text


def test_a_page_image_is_served_to_a_signed_in_user(review_site: ReviewSite) -> None:
    browser, _ = sign_in(review_site, "staff")
    response = browser.get(concrete("/packets/{packet_id}/pages/0.png", review_site))
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


def test_ocr_text_holding_html_is_shown_escaped(review_site: ReviewSite) -> None:
    browser, _ = sign_in(review_site, "reviewer")
    for path in ("/", f"/packets/{review_site.packet_ids['hostile']}"):
        html = browser.get(path).text
        assert "<script>window.pwned" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html, path
    assert "&lt;img src=x onerror=" in browser.get(f"/packets/{review_site.packet_ids['hostile']}").text
    assert HOSTILE_MESSAGE.startswith("<img")


def test_roles_staff_views_and_uploads_reviewer_decides_admin_manages_accounts(review_site: ReviewSite) -> None:
    packet_id = review_site.packet_ids[PROCESSED_SAMPLES[0]]
    staff, staff_token = sign_in(review_site, "staff")
    assert staff.get(f"/packets/{packet_id}").status_code == 200
    refused = staff.post(f"/packets/{packet_id}/verdict", data={"verdict": "approved", "csrf_token": staff_token})
    assert refused.status_code == 403
    assert staff.get("/export?format=json").status_code == 403
    assert staff.get("/admin/users").status_code == 403
    reviewer, _ = sign_in(review_site, "reviewer")
    assert reviewer.get("/admin/users").status_code == 403
    admin, _ = sign_in(review_site, "admin")
    assert admin.get("/admin/users").status_code == 200


def test_id_numbers_and_phones_are_masked_in_the_queue_and_for_staff(review_site: ReviewSite) -> None:
    report = review_site.store.report(review_site.packet_ids[PROCESSED_SAMPLES[0]])
    assert report is not None and report.applicant.id_number is not None
    id_number = report.applicant.id_number.value
    assert id_number is not None
    reviewer, _ = sign_in(review_site, "reviewer")
    queue = reviewer.get("/").text
    assert id_number not in queue and f"{id_number[:3]}{'*' * 11}{id_number[-4:]}" in queue
    staff, _ = sign_in(review_site, "staff")
    assert id_number not in staff.get(f"/packets/{report.packet_id}").text
    assert id_number in reviewer.get(f"/packets/{report.packet_id}").text  # the reviewer checks it against the scan


def test_an_upload_lands_whole_in_the_inbox_under_a_safe_name_and_is_audited(review_site: ReviewSite) -> None:
    browser, token = sign_in(review_site, "staff")
    scan = b"%PDF-1.7\n% the bytes of a scan\n"
    response = browser.post(
        "/upload", data={"csrf_token": token}, files={"scan": ("../../申报 材料.pdf", scan, "application/pdf")}
    )
    assert response.status_code == 200, response.text
    landed = review_site.config.inbox.root / "申报 材料.pdf"
    assert landed.read_bytes() == scan
    assert not list(review_site.config.inbox.root.glob(".upload-*"))
    for name in ("run.exe", "..pdf"):  # "..pdf" is "pdf" once made safe: no suffix, not a scan
        not_scan = browser.post(
            "/upload", data={"csrf_token": token}, files={"scan": (name, b"MZ", "application/octet-stream")}
        )
        assert not_scan.status_code == 400, name
    # A body that does not say its length could fill the disk before any limit applies: refused unread.
    chunked = browser.post("/upload", content=iter([b"--x\r\n"] * 3), headers={"content-type": "multipart/form-data"})
    assert chunked.status_code == 411
    with review_site.store.reading() as session:
        uploads = session.query(AuditEntry).filter_by(action="packet.uploaded").all()
        assert uploads and all("申报" not in str(entry.detail) for entry in uploads)
    landed.unlink()


def test_passwords_are_stored_as_argon2id_hashes(review_site: ReviewSite) -> None:
    assert hash_password(PASSWORD).startswith("$argon2id$")
    assert authenticate(review_site.store, "reviewer", PASSWORD) == Role.REVIEWER
    assert authenticate(review_site.store, "nobody", PASSWORD) is None
    with pytest.raises(ValueError, match="10"):
        hash_password("short")
