"""The ``dossier`` command line.

Exit codes: 0 every packet was processed (``ok`` or ``partial``), 1 at least one
packet ``failed``, 2 the command was used wrongly.
"""

from __future__ import annotations

import getpass
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from models.profile import ProfileError, get_profile, load_profiles
from pipeline.errors import RetryLaterError
from pipeline.inbox import SCAN_SUFFIXES
from pipeline.ingest import IngestResult
from pipeline.privacy import install_log_masking
from pipeline.report_io import write_text_atomically
from pipeline.runner import Outcome, any_failed, collect_inputs, process_files

if TYPE_CHECKING:
    from pipeline.storage import Store
    from review.security import Role

app = typer.Typer(
    name="dossier",
    help="Read scanned chief-technician application packets into checked, reviewable reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")

DaskAddress = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        envvar="DOSSIER_DASK_ADDRESS",
        help="Read the pages on the Dask cluster of this scheduler (tcp://host:8786); needs PREFECT_API_URL.",
    ),
]


def _version(value: bool) -> None:
    if value:
        out.print(f"dossier {version('dossier')}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """dossier: document intelligence for 首席技师 / 特级技师 application packets."""
    install_log_masking()


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help="Scans (PDF, TIFF, PNG, JPEG, BMP) or folders of scans.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the <stem>.json reports.")],
    profile: Annotated[
        str | None,
        typer.Option(help=f"Force this profile instead of detecting it: {', '.join(sorted(load_profiles()))}."),
    ] = None,
    dask_address: DaskAddress = None,
) -> None:
    """Process packets and write one JSON report per packet."""
    _check_profile(profile)
    missing = [p for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/red] no such file or folder: {', '.join(map(str, missing))}")
        raise typer.Exit(EXIT_USAGE)
    inputs = collect_inputs(paths)
    for skipped in inputs.not_scans:
        err.print(f"[yellow]skipped[/yellow] {skipped}: not a scan (expected {', '.join(sorted(SCAN_SUFFIXES))})")
    if not inputs.files:
        err.print("[red]error:[/red] no scans to process")
        raise typer.Exit(EXIT_USAGE)
    outcomes = _run(inputs.files, out_dir, profile, dask_address)
    _print_table(outcomes)
    raise typer.Exit(EXIT_FAILED if any_failed(outcomes) else EXIT_OK)


@app.command()
def demo(
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the reports (default: a new temporary folder).")
    ] = None,
) -> None:
    """Process the sample packets shipped with dossier, store them in the database for `dossier serve`, and print
    what was found."""
    from pipeline.runner import ingest_files
    from pipeline.settings import get_settings
    from samples import sample_packets

    packets = sample_packets()
    if not packets:
        err.print("[red]error:[/red] no sample packets are installed")
        raise typer.Exit(EXIT_FAILED)
    target = out_dir or Path(tempfile.mkdtemp(prefix="dossier-demo-"))

    def show(outcome: Outcome) -> str:
        return f"{outcome.report.status.value:8} {outcome.source.name}  ->  {outcome.report_path}"

    with (
        _exit_on(RetryLaterError, EXIT_FAILED),  # the database unreachable, the disk full
        _progress(len(packets), "processing packets", show) as advance,
    ):
        outcomes = ingest_files(packets, target, on_done=advance)
    _print_table(outcomes)
    out.print(f"stored in {_safe_url(get_settings().database_url)}; review them with: dossier serve", soft_wrap=True)
    raise typer.Exit(EXIT_FAILED if any_failed(outcomes) else EXIT_OK)


@app.command()
def watch(
    inbox: Annotated[
        Path | None,
        typer.Argument(
            help="The folder staff drop scans into (created if absent; default: DOSSIER_INBOX or "
            "<data folder>/inbox, where the reviewer app's uploads go)."
        ),
    ] = None,
    reports: Annotated[
        Path | None, typer.Option("--reports", help="Folder for the report files (default: INBOX/reports).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Packets processed at once.")] = 1,
    settle: Annotated[
        float, typer.Option(min=0.0, help="Seconds a file must stay unchanged before it is taken.")
    ] = 5.0,
    poll: Annotated[bool, typer.Option(help="Poll instead of waiting for file events (network shares).")] = False,
    once: Annotated[bool, typer.Option(help="Process what is there, then exit.")] = False,
    profile: Annotated[str | None, typer.Option(help="Force this profile instead of detecting it.")] = None,
    dask_address: DaskAddress = None,
) -> None:
    """Watch a folder: each complete scan dropped into it is processed once, stored in the database, its report
    written to reports/, and the scan moved to done/ or failed/ (with <name>.error.txt)."""
    import signal
    import threading

    from pipeline.flow import ingest_packet, start_prefect_api
    from pipeline.inbox import Inbox
    from pipeline.scaleout import ScaleOutError, with_runner
    from pipeline.settings import get_settings
    from pipeline.storage import StorageUnavailableError, get_store
    from pipeline.watch import Filed, Watcher, WatchOptions

    _check_profile(profile)
    settings = get_settings()
    folder = Inbox.at(inbox or settings.inbox_dir, reports)
    with _exit_on(StorageUnavailableError, EXIT_FAILED):
        store = get_store(settings.database_url)

    with _exit_on(ScaleOutError, EXIT_USAGE):
        ingest_flow = with_runner(ingest_packet, dask_address)

    def run_one(path: Path, name: str) -> IngestResult:
        return ingest_flow(str(path), profile, str(folder.reports), name)

    def show(filed: Filed) -> None:
        result = filed.result
        if result is None:
            out.print(f"[red]failed[/red]   {filed.name}: {filed.error}", highlight=False, soft_wrap=True)
            return
        what = "same scan as before" if result.duplicate else ", ".join(result.findings) or "no findings"
        status = "[red]failed[/red] " if filed.failed else f"{result.status.value:8}"
        out.print(f"{status} {filed.name}  ({what})  ->  {result.report_path}", highlight=False, soft_wrap=True)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    options = WatchOptions(workers=workers, settle=settle, poll=poll, once=once)
    start_prefect_api()
    err.print(f"watching {folder.root} (database {_safe_url(settings.database_url)}); Ctrl-C stops", soft_wrap=True)
    Watcher(folder, store, run_one, options, on_filed=show).run(stop)


@app.command()
def deploy(
    flow_name: Annotated[
        str, typer.Option("--flow", help="The flow: ingest-packet or process-packet.")
    ] = "ingest-packet",
    name: Annotated[str, typer.Option("--name", help="Name of the deployment on the Prefect server.")] = "dossier",
    work_pool: Annotated[
        str | None,
        typer.Option(
            "--work-pool",
            help="Register the deployment on this process work pool (created if absent) for `prefect worker start "
            "--pool NAME` on other machines, and exit. Without it, serve the deployment from this process.",
        ),
    ] = None,
    dask_address: DaskAddress = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="When serving: most runs executed at once (default: no limit).")
    ] = None,
) -> None:
    """Make a flow runnable through a Prefect server (PREFECT_API_URL): serve it here, or deploy it to workers."""
    from pipeline.scaleout import ScaleOutError, serve
    from pipeline.scaleout import deploy as deploy_flow

    with _exit_on(ScaleOutError, EXIT_USAGE):
        if work_pool is None:
            serve(flow_name, name, dask_address=dask_address, limit=limit)
            return
        deployment_id = deploy_flow(work_pool, flow_name, name, dask_address=dask_address)
    out.print(f"deployment {flow_name}/{name} ({deployment_id}) is on work pool {work_pool}")
    out.print(f"start a worker on each machine:  prefect worker start --pool {work_pool}")
    out.print(f"start a run:  prefect deployment run '{flow_name}/{name}' --param path=/shared/inbox/packet.pdf")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless HTTPS is put in front.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    inbox: Annotated[
        Path | None,
        typer.Option(help="The watched folder uploads go to (default: DOSSIER_INBOX or <data folder>/inbox)."),
    ] = None,
    proxy: Annotated[
        str | None,
        typer.Option(
            help="Address of the HTTPS reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-Proto and "
            "X-Forwarded-For are trusted, so cookies are Secure and sign-in limits count real clients."
        ),
    ] = None,
) -> None:
    """Start the reviewers' web app: the queue by risk, each packet with its pages and evidence, decisions, upload
    and export. Every page needs an account (`dossier users add`)."""
    import uvicorn

    from pipeline.inbox import Inbox
    from pipeline.settings import get_settings
    from pipeline.storage import StorageUnavailableError, get_store
    from review.app import ReviewConfig, create_app
    from review.security import list_users

    settings = get_settings()
    with _exit_on(StorageUnavailableError, EXIT_FAILED):
        store = get_store(settings.database_url)
    if not any(user.active for user in list_users(store)):
        err.print("[yellow]no account can sign in yet:[/yellow] dossier users add NAME --role admin")
    config = ReviewConfig(store=store, inbox=Inbox.at(inbox or settings.inbox_dir), page_dir=settings.page_dir)
    err.print(f"reviewer app on http://{host}:{port}  (uploads go to {config.inbox.root})", soft_wrap=True)
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        server_header=False,
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy,
    )


@app.command()
def purge(
    before: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="Delete what was received before this day (YYYY-MM-DD, local time)."),
    ],
    inbox: Annotated[
        Path | None,
        typer.Option(
            help="The watched folder whose done/ and failed/ hold the scans (default: DOSSIER_INBOX or "
            "<data folder>/inbox)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be deleted.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the scans, report files, page images, OCR results, records and Prefect flow runs of every packet
    received before a day, past its retention; refused scans filed before it too. The audit log keeps its entries
    and records the purge."""
    from pipeline.inbox import Inbox
    from pipeline.purge import plan_purge
    from pipeline.purge import purge as run_purge
    from pipeline.settings import get_settings
    from pipeline.storage import StorageUnavailableError, get_store

    settings = get_settings()
    cutoff = before.astimezone()  # midnight of that day where the command runs
    with _exit_on(StorageUnavailableError, EXIT_FAILED):
        store = get_store(settings.database_url)
        plan = plan_purge(
            store, Inbox.at(inbox or settings.inbox_dir), settings.page_dir, settings.ocr_cache_dir, cutoff
        )
        summary = ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in plan.counts().items())
        out.print(f"received before {cutoff:%Y-%m-%d %H:%M %Z}: {summary}", highlight=False, soft_wrap=True)
        if plan.flow_runs_unseen is not None:
            err.print(
                f"[yellow]warning:[/yellow] Prefect's flow runs, whose parameters name the scans, were not looked up "
                f"({plan.flow_runs_unseen}); run the purge again once Prefect's API answers",
                highlight=False,
                soft_wrap=True,
            )
        if dry_run or not any(plan.counts().values()):
            return
        if not yes and not typer.confirm("Delete all of it? This cannot be undone", default=False):
            raise typer.Exit(EXIT_FAILED)
        run_purge(store, plan, _cli_actor())
    out.print("deleted; the audit log records the purge")


users_app = typer.Typer(help="Accounts of the reviewer app: staff (upload, view), reviewer (decide), admin (users).")
app.add_typer(users_app, name="users")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input instead of asking.")
]


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str, typer.Option(help="staff, reviewer or admin.")] = "reviewer",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (the password is asked twice, or read from standard input)."""
    from review.security import add_user

    chosen = _role(role)
    _account_change(lambda store: add_user(store, username, _password(password_stdin), chosen, _cli_actor()))
    out.print(f"account {username} ({chosen.value}) created")


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="The sign-in name.")], password_stdin: PasswordStdin = False
) -> None:
    """Set an account's password (its sessions are signed out)."""
    from review.security import set_password

    _account_change(lambda store: set_password(store, username, _password(password_stdin), _cli_actor()))
    out.print(f"password of {username} changed")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Disable an account (its sessions are signed out)."""
    from review.security import set_active

    _account_change(lambda store: set_active(store, username, False, _cli_actor()))
    out.print(f"account {username} disabled")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Enable a disabled account."""
    from review.security import set_active

    _account_change(lambda store: set_active(store, username, True, _cli_actor()))
    out.print(f"account {username} enabled")


@users_app.command("list")
def users_list() -> None:
    """List the accounts."""
    from pipeline.settings import get_settings
    from pipeline.storage import get_store
    from review.security import list_users

    table = Table(title="accounts")
    for column in ("user", "role", "active", "created (UTC)"):
        table.add_column(column)
    for user in list_users(get_store(get_settings().database_url)):
        table.add_row(user.username, user.role, "yes" if user.active else "no", f"{user.created_at:%Y-%m-%d %H:%M}")
    out.print(table)


def _role(name: str) -> Role:
    from review.security import Role

    try:
        return Role(name)
    except ValueError:
        err.print(f"[red]error:[/red] unknown role {name!r}: {', '.join(role.value for role in Role)}")
        raise typer.Exit(EXIT_USAGE) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


def _cli_actor() -> str:
    """Who changed an account from the command line, for the audit log."""
    return f"cli:{getpass.getuser()}"


def _account_change(change: Callable[[Store], None]) -> None:
    from pipeline.settings import get_settings
    from pipeline.storage import StorageUnavailableError, get_store
    from review.security import AccountError

    with _exit_on(AccountError, EXIT_USAGE), _exit_on(StorageUnavailableError, EXIT_FAILED):
        change(get_store(get_settings().database_url))


samples_app = typer.Typer(help="Sample packets with ground truth, for demos and for measuring the pipeline.")
app.add_typer(samples_app, name="samples")


@samples_app.command("generate")
def samples_generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for <stem>.pdf and <stem>.truth.json.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of packets.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed: the same seed and arguments give identical files.")] = 0,
    profile: Annotated[str | None, typer.Option(help="Only this profile (default: all five in turn).")] = None,
    faults: Annotated[
        str | None, typer.Option(help="Comma-separated finding codes to inject into every packet.")
    ] = None,
    clean_ratio: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of clean packets when --faults is not given.")
    ] = 0.3,
) -> None:
    """Generate scanned, stamped sample packets with exact ground truth."""
    from samples.generate import FAULT_CODES, Generated, generate

    _check_profile(profile)
    codes = [code.strip().upper() for code in (faults or "").split(",") if code.strip()]
    unknown = sorted(set(codes) - set(FAULT_CODES))
    if unknown:
        err.print(f"[red]error:[/red] unknown fault codes {', '.join(unknown)}; known: {', '.join(FAULT_CODES)}")
        raise typer.Exit(EXIT_USAGE)

    def show(packet: Generated) -> str:
        return f"{packet.pdf}  ({', '.join(packet.faults) or 'clean'})"

    with _progress(n, "generating packets", show) as advance:
        made = generate(n, seed, out_dir, profile=profile, faults=codes, clean_ratio=clean_ratio, on_packet=advance)
    profiles = Counter(packet.profile for packet in made)
    clean = sum(1 for packet in made if not packet.faults)
    out.print(
        f"{len(made)} packets ({clean} clean) in {out_dir}: " + ", ".join(f"{p} x{c}" for p, c in profiles.items())
    )


@app.command("eval")
def evaluate(
    truth_dir: Annotated[Path, typer.Option("--truth", help="Folder of <stem>.truth.json files.")],
    reports_dir: Annotated[Path, typer.Option("--reports", help="Folder of <stem>.json reports.")],
    json_out: Annotated[Path | None, typer.Option("--out", help="Also write the scores as JSON here.")] = None,
) -> None:
    """Score reports against ground truth: fields, doc types, seals, cross-page seals, findings."""
    from samples.evaluate import evaluate_dirs, format_evaluation

    for folder in (truth_dir, reports_dir):
        if not folder.is_dir():
            err.print(f"[red]error:[/red] no such folder: {folder}")
            raise typer.Exit(EXIT_USAGE)
    evaluation = evaluate_dirs(truth_dir, reports_dir)
    out.print(format_evaluation(evaluation), markup=False, highlight=False)
    if json_out is not None:
        write_text_atomically(json_out, evaluation.to_json() + "\n")
        out.print(f"scores written to {json_out}")


bench_app = typer.Typer(help="Benchmarks: figures printed and written as JSON.")
app.add_typer(bench_app, name="bench")


@bench_app.command("seals")
def bench_seals(
    per_set: Annotated[int, typer.Option(min=1, help="Packets per set (clean, swapped page, pasted seal).")] = 20,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated sets (keep it apart from development seeds).")
    ] = 9000,
    json_out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
) -> None:
    """Seal detection, legends, 骑缝章 and pasted-seal figures on freshly generated packets."""
    from pipeline.bench import format_figures, run_seal_bench

    figures = run_seal_bench(per_set, seed, json_out, log=lambda line: err.print(line, markup=False, highlight=False))
    out.print(format_figures(figures), markup=False, highlight=False)


@bench_app.command("watch")
def bench_watch(
    files: Annotated[int, typer.Option(min=1, help="Scans dropped at once.")] = 200,
    workers: Annotated[int, typer.Option(min=1, help="The watcher's --workers.")] = 1,
    json_out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
) -> None:
    """A burst of one-page scans dropped at once into a watcher: all filed once, time, and memory as it goes."""
    import json

    from pipeline.bench_watch import run_watch_bench

    figures = run_watch_bench(files, workers, json_out, log=lambda line: err.print(line, markup=False))
    out.print(json.dumps(figures, indent=2), markup=False, highlight=False)


@bench_app.command("speed")
def bench_speed(
    pages: Annotated[
        int, typer.Option(min=12, help="Pages of the generated big packet (peak memory, pages/min).")
    ] = 100,
    compare_pages: Annotated[
        int, typer.Option(min=1, help="Generated pages each engine reads (about a second each).")
    ] = 10,
    engines: Annotated[
        str, typer.Option(help="Engines compared on the same pages, comma-separated: rapidocr, tesseract, paddle.")
    ] = "rapidocr,tesseract,paddle",
    install_tesseract: Annotated[
        bool, typer.Option("--install-tesseract", help="Install Tesseract 5 and chi_sim with apt-get when missing.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated packets.")] = 5150,
    json_out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
) -> None:
    """The pipeline's speed and memory, and its OCR beside Tesseract and PaddleOCR on the same pages."""
    from pipeline import bench_speed as bench
    from samples import sample_packets

    def log(line: str) -> None:
        err.print(line, markup=False, highlight=False)

    if install_tesseract:
        bench.install_tesseract(log)
    chosen = [name.strip() for name in engines.split(",") if name.strip()]
    figures = bench.run_speed_bench(sample_packets(), pages, compare_pages, chosen, seed, json_out, log)
    out.print(bench.format_speed(figures), markup=False, highlight=False)


@contextmanager
def _exit_on(error: type[Exception], code: int) -> Iterator[None]:
    """Turn ``error`` into its message on stderr and exit ``code`` (no traceback for an expected failure)."""
    try:
        yield
    except error as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code) from None


def _safe_url(url: str) -> str:
    """A database URL fit to print: its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _check_profile(profile: str | None) -> None:
    if profile is None:
        return
    with _exit_on(ProfileError, EXIT_USAGE):
        get_profile(profile)


def _run(files: Sequence[Path], out_dir: Path, profile: str | None, dask_address: str | None = None) -> list[Outcome]:
    def show(outcome: Outcome) -> str:
        return f"{outcome.report.status.value:8} {outcome.source}  ->  {outcome.report_path}"

    from pipeline.scaleout import ScaleOutError  # imports Prefect: only when packets are really processed

    with (
        _exit_on(ScaleOutError, EXIT_USAGE),
        _exit_on(RetryLaterError, EXIT_FAILED),
        _progress(len(files), "processing packets", show) as advance,
    ):
        return process_files(files, out_dir, profile, on_done=advance, dask_address=dask_address)


@contextmanager
def _progress(total: int, description: str, show: Callable[[T], str] | None = None) -> Iterator[Callable[[T], None]]:
    """A progress bar on stderr; ``show`` turns each finished item into a line printed above it."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task_id = progress.add_task(description, total=total)

        def advance(item: T) -> None:
            if show is not None:
                progress.console.print(show(item))
            progress.advance(task_id)

        yield advance


def _print_table(outcomes: Sequence[Outcome]) -> None:
    table = Table(title="dossier")
    for column in ("packet", "profile", "pages", "documents", "status", "findings"):
        table.add_column(column)
    for outcome in outcomes:
        report = outcome.report
        documents = Counter(page.doc_type.value for page in report.pages)
        table.add_row(
            outcome.source.name,
            report.profile or "-",
            str(len(report.pages)),
            ", ".join(f"{doc_type} x{count}" for doc_type, count in documents.items()) or "-",
            report.status.value,
            ", ".join(f.code.value for f in report.findings) or "-",
        )
    out.print(table)
    for outcome in outcomes:
        for error in outcome.report.errors:
            where = f"page {error.page + 1}" if error.page is not None else "file"
            out.print(f"  {outcome.source.name} ({where}, {error.stage}): {error.message}")
