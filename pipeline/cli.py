"""The ``dossier`` command line.

Exit codes: 0 every packet was processed (``ok`` or ``partial``), 1 at least one
packet ``failed``, 2 the command was used wrongly.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from models.profile import ProfileError, get_profile, load_profiles
from pipeline.ingest import IngestResult
from pipeline.runner import SCAN_SUFFIXES, Outcome, any_failed, collect_inputs, process_files

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
    """Process the sample packets shipped with dossier and print what was found."""
    from samples import sample_packets

    packets = sample_packets()
    if not packets:
        err.print("[red]error:[/red] no sample packets are installed")
        raise typer.Exit(EXIT_FAILED)
    target = out_dir or Path(tempfile.mkdtemp(prefix="dossier-demo-"))
    outcomes = _run(packets, target, None)
    _print_table(outcomes)
    out.print(f"reports written to {target}")
    raise typer.Exit(EXIT_FAILED if any_failed(outcomes) else EXIT_OK)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="The folder staff drop scans into (created if absent).")],
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
    folder = Inbox.at(inbox, reports)
    settings = get_settings()
    try:
        store = get_store(settings.database_url)
    except StorageUnavailableError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_FAILED) from None

    try:
        ingest_flow = with_runner(ingest_packet, dask_address)
    except ScaleOutError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None

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

    try:
        if work_pool is None:
            serve(flow_name, name, dask_address=dask_address, limit=limit)
            return
        deployment_id = deploy_flow(work_pool, flow_name, name, dask_address=dask_address)
    except ScaleOutError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    out.print(f"deployment {flow_name}/{name} ({deployment_id}) is on work pool {work_pool}")
    out.print(f"start a worker on each machine:  prefect worker start --pool {work_pool}")
    out.print(f"start a run:  prefect deployment run '{flow_name}/{name}' --param path=/shared/inbox/packet.pdf")


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
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(evaluation.to_json() + "\n", encoding="utf-8")
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


def _safe_url(url: str) -> str:
    """A database URL fit to print: its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _check_profile(profile: str | None) -> None:
    if profile is None:
        return
    try:
        get_profile(profile)
    except ProfileError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _run(files: Sequence[Path], out_dir: Path, profile: str | None, dask_address: str | None = None) -> list[Outcome]:
    def show(outcome: Outcome) -> str:
        return f"{outcome.report.status.value:8} {outcome.source}  ->  {outcome.report_path}"

    from pipeline.scaleout import ScaleOutError  # imports Prefect: only when packets are really processed

    try:
        with _progress(len(files), "processing packets", show) as advance:
            return process_files(files, out_dir, profile, on_done=advance, dask_address=dask_address)
    except ScaleOutError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


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
