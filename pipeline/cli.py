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
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from models.profile import ProfileError, get_profile, load_profiles
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
    outcomes = _run(inputs.files, out_dir, profile)
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


def _check_profile(profile: str | None) -> None:
    if profile is None:
        return
    try:
        get_profile(profile)
    except ProfileError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _run(files: Sequence[Path], out_dir: Path, profile: str | None) -> list[Outcome]:
    with _progress(len(files)) as advance:
        return process_files(files, out_dir, profile, on_done=advance)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Outcome], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task_id = progress.add_task("processing packets", total=total)

        def advance(outcome: Outcome) -> None:
            progress.console.print(f"{outcome.report.status.value:8} {outcome.source}  ->  {outcome.report_path}")
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
