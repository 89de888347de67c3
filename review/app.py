"""The reviewers' web app: the queue, the packet page, decisions, upload and export (FastAPI + Jinja2).

Every route but the sign-in page and the static files needs a signed-in
account; every POST needs the session's CSRF token. Pages are rendered on the
server with autoescaping, so OCR'd text is always shown as text.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.profile import Profile, ProfileError, get_profile
from models.report import CONFIDENT, DOC_TYPE_LABELS, PACKET_ID_PATTERN, PACKET_STATUS_LABELS, SEVERITY_LABELS
from pipeline.inbox import SCAN_SUFFIXES, Inbox
from pipeline.pages import page_image_path
from pipeline.privacy import mask_text
from pipeline.storage import Store
from review import export, security, service
from review.evidence import field_rows, page_marks, summary_comparison
from review.records import VERDICT_LABELS, Verdict
from review.security import ROLE_LABELS, Account, AccountError, LoginLimiter, Role

logger = logging.getLogger(__name__)

SESSION_COOKIE = "dossier_session"
LOGIN_COOKIE = "dossier_login"
"""Holds the token the sign-in form posts back (the form has no session yet to bind it to)."""
DEFAULT_MAX_UPLOAD_BYTES = 200 * 2**20
_PACKET_ID = re.compile(PACKET_ID_PATTERN)
_UPLOAD_CHUNK = 2**20
_FORM_OVERHEAD = 2**20
"""Room for the multipart form's other fields and boundaries around an upload of the largest allowed size."""
E = TypeVar("E", bound=StrEnum)

VERDICT_NAMES: dict[str, str] = {
    service.PENDING: "待审核",
    **{str(verdict): label for verdict, label in VERDICT_LABELS.items()},
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class ReviewConfig:
    """What the app serves from: the database, the watched folder uploads go to, and the rendered page images."""

    store: Store
    inbox: Inbox
    page_dir: Path
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES


class SignInRequiredError(Exception):
    """The request has no live session."""


class RefusedError(Exception):
    """The request is understood but not allowed or not valid (a status and a message for the error page)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(config: ReviewConfig, limiter: LoginLimiter | None = None) -> FastAPI:
    """The reviewer app over ``config``'s store, inbox and page images."""
    app = FastAPI(title="dossier 审核", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    templates = Jinja2Templates(directory=str(files("review") / "templates"))
    templates.env.filters["mask"] = mask_text
    templates.env.globals.update(
        # Keyed by str enums, so a template looks them up with the enum or its plain value alike.
        severity_labels=SEVERITY_LABELS | {service.NO_RISK: "无问题"},
        status_labels=PACKET_STATUS_LABELS,
        verdict_names=VERDICT_NAMES,
        doc_type_labels=DOC_TYPE_LABELS,
        role_labels=ROLE_LABELS,
        verdicts=list(Verdict),
        # The confidence below which the checks call a read unsure: the page shows the same fields as unsure.
        low_confidence=CONFIDENT,
        audit_page_size=service.AUDIT_PAGE_SIZE,
        roles=list(Role),
    )
    limiter = limiter or LoginLimiter()
    store = config.store
    app.mount("/static", StaticFiles(directory=str(files("review") / "static")), name="static")

    def page(request: Request, template: str, account: Account | None, status: int = 200, **context: Any) -> Response:
        context |= {
            "account": account,
            "csrf_token": account.csrf_token if account else None,
            "is_reviewer": account is not None and account.role.allows(Role.REVIEWER),
            "is_admin": account is not None and account.role.allows(Role.ADMIN),
        }
        return templates.TemplateResponse(request, template, context, status_code=status)

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, _exc: SignInRequiredError) -> Response:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(f"/login?{urlencode({'next': request.url.path})}", status_code=303)
        return HTMLResponse("请先登录 (sign in first)", status_code=401)

    @app.exception_handler(RefusedError)
    async def refused(request: Request, exc: RefusedError) -> Response:
        account = getattr(request.state, "account", None)
        return page(request, "error.html", account, status=exc.status, message=exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        account = getattr(request.state, "account", None)
        message = "页面不存在" if exc.status_code == 404 else str(exc.detail)
        return page(request, "error.html", account, status=exc.status_code, message=message)

    @app.middleware("http")
    async def body_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Refused before Starlette spools the body to disk: an upload larger than allowed never lands anywhere.
        length = request.headers.get("content-length")
        if request.method == "POST" and length is None:  # a browser's form always says how long it is
            return HTMLResponse("请求缺少长度 (Content-Length required)", status_code=411)
        if length is not None and (not length.isdigit() or int(length) > config.max_upload_bytes + _FORM_OVERHEAD):
            return HTMLResponse("请求过大 (request too large)", status_code=413)
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # personal data: never kept by the browser
        return response

    # --------------------------------------------------------------- sign-in

    @app.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        return _login_page(request, next)

    def _login_page(request: Request, next_path: str, error: str | None = None, status: int = 200) -> Response:
        token = secrets.token_urlsafe(32)
        response = page(request, "login.html", None, status=status, login_token=token, next=next_path, error=error)
        response.set_cookie(
            LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_https(request), path="/login"
        )
        return response

    @app.post("/login")
    def login(request: Request, form: Annotated[FormData, Depends(_sign_in_form)]) -> Response:
        # A plain function: FastAPI runs it in a worker thread, so the password hash never blocks the event loop.
        username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        next_path = _local_path(str(form.get("next", "/")))
        posted_token = form.get("login_token")
        if not security.same_token(
            request.cookies.get(LOGIN_COOKIE, ""), posted_token if isinstance(posted_token, str) else None
        ):
            return _login_page(request, next_path, "登录表单已过期，请重试", status=403)
        actor = username if security.USERNAME_PATTERN.match(username) else "?"  # never a password typed as a name
        keys = (f"user:{username.lower()}", f"address:{request.client.host if request.client else '?'}")
        wait = limiter.retry_after(*keys)
        if wait:
            store.audit(actor, "login.throttled")
            response = _login_page(request, next_path, f"登录失败次数过多，请 {wait // 60 + 1} 分钟后再试", 429)
            response.headers["Retry-After"] = str(wait)
            return response
        granted = security.authenticate(store, username, password)
        if granted is None:
            limiter.failed(*keys)
            store.audit(actor, "login.failed")
            return _login_page(request, next_path, "用户名或密码错误", status=401)
        limiter.succeeded(keys[0])
        token = security.start_session(store, username)
        store.audit(username, "login")
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=_https(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout")
    def logout(request: Request, form: CheckedForm) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            security.end_session(store, token)
        store.audit(request.state.account.username, "logout")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # ----------------------------------------------------------------- queue

    @app.get("/")
    def queue(
        request: Request,
        account: Staff,
        profile: str = "",
        verdict: str = "",
        status: str = "",
        code: str = "",
        unit: str = "",
        page_number: Annotated[int, Query(alias="page")] = 0,
    ) -> Response:
        wanted = service.QueueFilter(
            profile=profile or None,
            verdict=verdict or None,
            status=status or None,
            code=code or None,
            unit=unit or None,
            page=max(page_number, 0),  # the only place a page number comes in
        )
        found = service.queue(store, wanted)
        return page(
            request,
            "queue.html",
            account,
            queue=found,
            wanted=wanted,
            query=_query_of(wanted),
            base_query=_query_of(wanted, verdict=False),
        )

    # ---------------------------------------------------------------- packet

    @app.get("/packets/{packet_id}")
    def packet(request: Request, packet_id: str, account: Staff) -> Response:
        review = _review(packet_id)
        record = review.record
        return page(
            request,
            "packet.html",
            account,
            review=review,
            report=record.report,
            marks=page_marks(record),
            fields=field_rows(record),
            summary=summary_comparison(record),
        )

    @app.get("/packets/{packet_id}/pages/{index}.png")
    def page_image(packet_id: str, index: int, account: Staff) -> Response:
        if not _PACKET_ID.match(packet_id) or index < 0:
            raise RefusedError(404, "页面不存在")
        found = store.packet(packet_id)
        if found is None or index >= found.page_count:
            raise RefusedError(404, "页面不存在")
        root = config.page_dir.resolve()
        path = page_image_path(root, packet_id, index).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise RefusedError(404, "页面图像已不在数据目录中")
        return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, no-store"})

    @app.post("/packets/{packet_id}/fields/{key}")
    def correct_field(packet_id: str, key: str, form: CheckedForm, account: Reviewer) -> Response:
        _decide(
            lambda: service.correct_field(
                store, packet_id, key, _field(form, "value"), _field(form, "reason"), account.username
            )
        )
        return RedirectResponse(f"/packets/{packet_id}#field-{key}", status_code=303)

    @app.post("/packets/{packet_id}/findings/{position}")
    def judge_finding(packet_id: str, position: int, form: CheckedForm, account: Reviewer) -> Response:
        judgement = _choice(service.Judgement, _field(form, "judgement"))
        _decide(
            lambda: service.judge_finding(
                store, packet_id, position, judgement, _field(form, "reason"), account.username
            )
        )
        return RedirectResponse(f"/packets/{packet_id}#finding-{position}", status_code=303)

    @app.post("/packets/{packet_id}/verdict")
    def set_verdict(packet_id: str, form: CheckedForm, account: Reviewer) -> Response:
        verdict = _choice(Verdict, _field(form, "verdict"))
        _decide(lambda: service.set_verdict(store, packet_id, verdict, _field(form, "note"), account.username))
        return RedirectResponse(f"/packets/{packet_id}#verdict", status_code=303)

    def _review(packet_id: str) -> service.PacketReview:
        review = service.packet_review(store, packet_id) if _PACKET_ID.match(packet_id) else None
        if review is None:
            raise RefusedError(404, "没有这一材料")
        return review

    def _decide(action: Callable[[], None]) -> None:
        try:
            action()
        except service.DecisionError as exc:
            raise RefusedError(400, str(exc)) from None

    # ---------------------------------------------------------------- upload

    @app.get("/upload")
    def upload_form(request: Request, account: Staff) -> Response:
        return page(request, "upload.html", account, waiting=_waiting(config.inbox), suffixes=sorted(SCAN_SUFFIXES))

    @app.post("/upload")
    def upload(request: Request, form: CheckedForm, account: Staff) -> Response:
        scan = form.get("scan")
        if not isinstance(scan, UploadFile) or not scan.filename:
            raise RefusedError(400, "请选择要上传的扫描件")
        # Starlette has already spooled the upload to a temporary file: copy it over in chunks.
        chunks = iter(lambda: scan.file.read(_UPLOAD_CHUNK), b"")
        try:
            saved = config.inbox.receive(scan.filename, chunks, config.max_upload_bytes)
        except ValueError as exc:
            raise RefusedError(400, str(exc)) from None
        # File names often carry the applicant's name: the audit log keeps only the type and size.
        store.audit(account.username, "packet.uploaded", suffix=saved.path.suffix.lower(), bytes=saved.size)
        return page(
            request,
            "upload.html",
            account,
            saved=saved.path.name,
            waiting=_waiting(config.inbox),
            suffixes=sorted(SCAN_SUFFIXES),
        )

    # ---------------------------------------------------------------- export

    @app.get("/export")
    def export_records(account: Reviewer, format: str = "xlsx", profile: str = "", verdict: str = "") -> Response:
        records = service.reviewed_records(store, profile or None, verdict or None)
        if format == "json":
            body, media, suffix = export.to_json(records), "application/json", "json"
        elif format == "xlsx":
            body, suffix = export.to_xlsx(export.summary_tables(records)), "xlsx"
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif format == "csv":
            tables = export.summary_tables(records)
            if not tables and profile:
                tables = [(profile, *export.summary_table(_profile(profile), []))]
            if len(tables) != 1:
                raise RefusedError(400, "CSV 一次只能导出一个申报通知的汇总表，请先选择申报通知")
            _title, headers, rows = tables[0]
            body, media, suffix = export.to_csv(headers, rows), "text/csv; charset=utf-8", "csv"
        else:
            raise RefusedError(400, "导出格式只能是 xlsx、csv 或 json")
        store.audit(account.username, "export", format=format, profile=profile or None, records=len(records))
        name = f"dossier-{profile or 'all'}-{verdict or 'all'}.{suffix}"
        disposition = f"attachment; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name)}"
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    # ----------------------------------------------------------------- admin

    @app.get("/admin/users")
    def users(request: Request, account: Admin) -> Response:
        return page(request, "users.html", account, users=security.list_users(store))

    @app.post("/admin/users")
    def add_user(request: Request, form: CheckedForm, account: Admin) -> Response:
        try:
            security.add_user(
                store,
                _field(form, "username").strip(),
                _field(form, "password"),
                _choice(Role, _field(form, "role")),
                account.username,
            )
        except AccountError as exc:
            return page(request, "users.html", account, 400, users=security.list_users(store), error=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    @app.post("/admin/users/{username}/active")
    def set_active(username: str, form: CheckedForm, account: Admin) -> Response:
        active = _field(form, "active") == "1"
        if username == account.username and not active:
            raise RefusedError(400, "不能停用自己的账号")
        try:
            security.set_active(store, username, active, account.username)
        except AccountError as exc:
            raise RefusedError(400, str(exc)) from None
        return RedirectResponse("/admin/users", status_code=303)

    @app.get("/admin/audit")
    def audit(request: Request, account: Admin, before: int | None = None) -> Response:
        return page(request, "audit.html", account, entries=service.audit_entries(store, before))

    return app


# --------------------------------------------------------------------- access


def _signed_in(request: Request) -> Account:
    config: ReviewConfig = request.app.state.config
    account = security.session_account(config.store, request.cookies.get(SESSION_COOKIE))
    if account is None:
        raise SignInRequiredError
    request.state.account = account
    return account


def _role(needed: Role) -> Callable[[Account], Account]:
    def check(account: Annotated[Account, Depends(_signed_in)]) -> Account:
        if not account.role.allows(needed):
            raise RefusedError(403, f"需要{ROLE_LABELS[needed]}权限")
        return account

    return check


async def _posted(request: Request, account: Annotated[Account, Depends(_signed_in)]) -> FormData:
    """The form of a POST, after its CSRF token and origin are checked against the session."""
    _check_origin(request)
    form = await request.form(max_files=1, max_fields=50)
    token = form.get("csrf_token")
    if not security.same_token(account.csrf_token, token if isinstance(token, str) else None):
        raise RefusedError(403, "表单已过期或来源不明，请刷新页面后重试 (CSRF token missing or wrong)")
    return form


async def _sign_in_form(request: Request) -> FormData:
    """The sign-in form (its token is checked against the sign-in cookie by the route)."""
    _check_origin(request)
    return await request.form(max_files=0, max_fields=10)


Staff = Annotated[Account, Depends(_role(Role.STAFF))]
"""Signed in with any role: may view and upload."""
Reviewer = Annotated[Account, Depends(_role(Role.REVIEWER))]
"""Signed in as a reviewer or admin: may decide and export."""
Admin = Annotated[Account, Depends(_role(Role.ADMIN))]
"""Signed in as an admin: may manage accounts and read the audit log."""
CheckedForm = Annotated[FormData, Depends(_posted)]
"""A POSTed form whose CSRF token matched the session's."""


def _check_origin(request: Request) -> None:
    """A POST whose Origin names another site is refused (a second line behind the CSRF token)."""
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise RefusedError(403, "请求来源不明 (cross-origin request refused)")


def _profile(profile_id: str) -> Profile:
    try:
        return get_profile(profile_id)
    except ProfileError as exc:
        raise RefusedError(400, str(exc)) from None


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _local_path(path: str) -> str:
    """``path`` if it is a path on this site; otherwise ``/`` (no open redirect after sign-in)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _choice(kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise RefusedError(400, f"无效的选项：{value}") from None


def _query_of(wanted: service.QueueFilter, verdict: bool = True) -> str:
    """The filter as a query string (without the page; without the verdict when ``verdict`` is false)."""
    pairs = {
        "profile": wanted.profile,
        "verdict": wanted.verdict if verdict else None,
        "status": wanted.status,
        "code": wanted.code,
        "unit": wanted.unit,
    }
    return urlencode({key: value for key, value in pairs.items() if value})


def _ascii(name: str) -> str:
    return name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")


def _waiting(inbox: Inbox) -> list[str]:
    """Files in the inbox not yet taken by the watcher (names only)."""
    return sorted(inbox.name_of(path) for path in inbox.dropped())[:200]
