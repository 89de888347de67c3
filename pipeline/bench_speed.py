"""``dossier bench speed``: the pipeline's speed and memory, and its OCR side by side with Tesseract and PaddleOCR.

Everything runs in one session on the same machine, so the ratios hold even where the machine is noisy:

- **pipeline**: the committed samples, then a 12-page packet, through the Prefect flow in this process (a
  fresh data folder: no OCR cache), each stage's seconds from the reports and the flow's own overhead
  (the flow run's wall time less the stages' total);
- **big packet**: a generated 100-page packet processed by ``dossier process`` in a child process, for its
  time and its peak resident memory;
- **engines**: the same generated pages read by each engine (ours, Tesseract 5 ``chi_sim``, native
  PaddleOCR), seconds per page and character error rate against the printed text the generator recorded.
  Each reads them as the pipeline would, as many pages in flight as there are cores, at its own best: Tesseract
  with pages side by side (one per worker, each on its share of the cores), and also a page at a time on OpenMP
  threads; the faster Tesseract is the baseline of the targets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from extractors.ocr import OcrOptions, get_engine
from extractors.ocr.base import INFERENCE_CLOCK, reading_workers, worker_threads
from extractors.parallel import available_cores
from extractors.pdf import DocumentError, RenderOptions, opened
from pipeline.bench import target_met
from pipeline.report_io import write_json_atomically
from pipeline.settings import get_settings
from samples.generate import generate
from samples.ocr_score import TextScore, score_page

ENGINES = ("rapidocr", "tesseract", "paddle")
STAGES = ("render", "ocr", "assemble", "fields", "seals", "checks")

SPEED_TARGETS: dict[str, tuple[str, float]] = {
    "speedup_vs_tesseract": (">=", 3.0),
    "cer_margin_vs_tesseract": (">", 0.0),
    "non_ocr_share": ("<", 0.10),
    "twelve_page_packet_s": ("<", 20.0),
    "big_packet_peak_rss_gb": ("<", 1.5),
    "prefect_overhead_s_per_packet": ("<", 0.5),
}

Log = Callable[[str], None]


def run_speed_bench(
    samples: Sequence[Path],
    big_pages: int,
    compare_pages: int,
    engines: Sequence[str],
    seed: int,
    out: Path | None,
    log: Log = print,
) -> dict[str, Any]:
    """Run the benchmark in a temporary folder; write the figures as JSON to ``out`` if given."""
    with tempfile.TemporaryDirectory(prefix="dossier-bench-speed-") as work_dir:
        figures = bench_speed(samples, big_pages, compare_pages, engines, seed, Path(work_dir), log)
    if out is not None:
        write_json_atomically(out, figures)
    return figures


def bench_speed(
    samples: Sequence[Path],
    big_pages: int,
    compare_pages: int,
    engines: Sequence[str],
    seed: int,
    work: Path,
    log: Log = print,
) -> dict[str, Any]:
    """All three parts, in this order: generated pages, pipeline runs, the big packet, the engines."""
    log(f"generating packets for {big_pages} pages (seed {seed})")
    pdfs, page_text = _generated_pages(big_pages, seed, work / "generated")
    twelve = _merged(pdfs, 12, work / "packet-12-pages.pdf")
    big = _merged(pdfs, big_pages, work / f"packet-{big_pages}-pages.pdf")

    _fresh_settings(work / "data")
    pipeline = _pipeline_runs([*samples, twelve], log)
    big_run = _child_run(big, work, log)
    chosen = _spread(len(page_text), compare_pages)
    engine_rows = _engine_rows(big, chosen, [page_text[index] for index in chosen], engines, log)
    figures: dict[str, Any] = {
        "machine": machine(),
        "ours": get_settings().ocr.engine,
        "pipeline": pipeline,
        "big_packet": big_run,
        "engines": engine_rows,
    }
    figures["targets"] = _target_figures(figures)
    return figures


# ----------------------------------------------------------------------------------------------------------
# packets


def _generated_pages(pages: int, seed: int, out: Path) -> tuple[list[Path], list[list[dict[str, Any]]]]:
    """Generated packets until they hold ``pages`` pages; their PDFs and every page's printed lines."""
    pdfs: list[Path] = []
    page_text: list[list[dict[str, Any]]] = []
    index = 0
    while len(page_text) < pages:
        (made,) = generate(1, seed + index, out / str(index))
        truth = json.loads(made.truth.read_text(encoding="utf-8"))
        pdfs.append(made.pdf)
        page_text += truth["page_text"]
        index += 1
    return pdfs, page_text[:pages]


def _merged(pdfs: Sequence[Path], pages: int, out: Path) -> Path:
    """One packet of the first ``pages`` pages of ``pdfs``, in order."""
    merged = pymupdf.open()
    for pdf in pdfs:
        if merged.page_count >= pages:
            break
        with pymupdf.open(pdf) as source:
            merged.insert_pdf(source, to_page=min(source.page_count, pages - merged.page_count) - 1)
    merged.save(out, garbage=3, deflate=True)
    merged.close()
    return out


def _spread(total: int, count: int) -> list[int]:
    """``count`` page indices spread evenly over ``total`` pages (every kind of page, not the first few)."""
    count = min(count, total)
    return sorted({round(i * (total - 1) / max(count - 1, 1)) for i in range(count)})


# ----------------------------------------------------------------------------------------------------------
# the pipeline


def _fresh_settings(data_dir: Path) -> None:
    """Point this process's settings at an empty data folder: no OCR cache, no earlier pages."""
    os.environ["DOSSIER_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()


def _pipeline_runs(packets: Sequence[Path], log: Log) -> dict[str, Any]:
    """Each packet through the flow in this process: wall time, pages, stage seconds, OCR model time, flow overhead.

    OCR model time is every model call of every stage (the page reads, the orientation search, seal legends, field
    re-reads), from the adapters' :data:`~extractors.ocr.base.INFERENCE_CLOCK`; everything else is not OCR inference.
    Each model's own seconds (detection, recognition...) come from the same clock.
    """
    from pipeline.flow import process_packet

    rows: list[dict[str, Any]] = []
    for path in packets:
        inference_before, models_before = INFERENCE_CLOCK.seconds, INFERENCE_CLOCK.by_model()
        start = time.perf_counter()
        report = process_packet(str(path))
        wall = time.perf_counter() - start
        stage_total = report.timings.get("total", 0.0)
        row = {
            "packet": path.name,
            "pages": len(report.pages),
            "status": report.status.value,
            "wall_s": round(wall, 3),
            "stages_s": {stage: report.timings.get(stage, 0.0) for stage in STAGES},
            "ocr_inference_s": round(INFERENCE_CLOCK.seconds - inference_before, 3),
            "ocr_models_s": _model_seconds(INFERENCE_CLOCK.by_model(), models_before),
            "prefect_overhead_s": round(wall - stage_total, 3),
        }
        rows.append(row)
        log(f"pipeline {path.name}: {row['pages']} pages, {wall:.1f} s, overhead {row['prefect_overhead_s']:.2f} s")
    # The first run starts Prefect's temporary server and loads the models: left out of the steady figures.
    steady = rows[1:] or rows
    pages = sum(int(row["pages"]) for row in steady)
    wall = sum(float(row["wall_s"]) for row in steady)
    stages = _summed(row["stages_s"] for row in steady)
    inference = sum(float(row["ocr_inference_s"]) for row in steady)
    return {
        "packets": rows,
        "steady_pages": pages,
        "steady_wall_s": round(wall, 3),
        "seconds_per_page": round(wall / pages, 3) if pages else None,
        "pages_per_minute": round(60 * pages / wall, 2) if wall else None,
        "stages_s": stages,
        "ocr_inference_s": round(inference, 3),
        "ocr_models_s": _summed(row["ocr_models_s"] for row in steady),
        "non_ocr_share": round(1 - inference / wall, 4) if wall else None,
        "ocr_stage_share": round(stages["ocr"] / wall, 4) if wall else None,
        "prefect_overhead_s_per_packet": round(
            sum(float(row["prefect_overhead_s"]) for row in steady) / len(steady), 3
        ),
    }


def _child_run(packet: Path, work: Path, log: Log) -> dict[str, Any]:
    """``dossier process`` of ``packet`` in a child process: wall time, peak resident memory, stage seconds, and
    each OCR model's seconds."""
    out = work / "big-reports"
    model_clock = work / "big-models.json"
    environment = {**os.environ, "DOSSIER_DATA_DIR": str(work / "data-big")}
    command = [sys.executable, "-c", _PROCESS_WRITING_MODEL_CLOCK, str(model_clock)]
    command += ["process", str(packet), "--out", str(out)]
    start = time.perf_counter()
    child = measured_run(command, environment)
    wall = time.perf_counter() - start
    report_file = out / f"{packet.stem}.json"
    if not report_file.is_file():
        raise RuntimeError(f"dossier process wrote no report (exit {child.exit_code}): {child.stderr[-500:]}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    pages = len(report["pages"])
    figures: dict[str, Any] = {
        "packet": packet.name,
        "pages": pages,
        "status": report["status"],
        "wall_s": round(wall, 2),
        "seconds_per_page": round(wall / pages, 3),
        "pages_per_minute": round(60 * pages / wall, 2),
        "stages_s": {stage: report["timings"].get(stage, 0.0) for stage in STAGES},
        "ocr_models_s": _model_seconds(json.loads(model_clock.read_text(encoding="utf-8")), {}),
        "peak_rss_gb": round(child.peak_rss_bytes / 1e9, 3),
    }
    log(f"big packet: {pages} pages in {wall:.0f} s, peak RSS {figures['peak_rss_gb']} GB")
    return figures


# `dossier process` (the CLI's own module, its arguments after the file's path), which then writes its OCR models'
# seconds (InferenceClock.by_model) as JSON to that file when it exits.
_PROCESS_WRITING_MODEL_CLOCK = """
import atexit, json, runpy, sys
from extractors.ocr.base import INFERENCE_CLOCK
clock_file = sys.argv.pop(1)
atexit.register(lambda: open(clock_file, "w", encoding="utf-8").write(json.dumps(INFERENCE_CLOCK.by_model())))
runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
"""


def _summed(figures: Iterable[dict[str, float]]) -> dict[str, float]:
    """Figures of the same names (stages, models) added up over runs, each name where it first came."""
    total: dict[str, float] = {}
    for row in figures:
        for name, value in row.items():
            total[name] = total.get(name, 0.0) + value
    return {name: round(value, 3) for name, value in total.items()}


def _model_seconds(now: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """Each OCR model's seconds between two readings of :meth:`~extractors.ocr.base.InferenceClock.by_model`."""
    return {model: round(seconds - before.get(model, 0.0), 3) for model, seconds in sorted(now.items())}


@dataclass(frozen=True)
class MeasuredRun:
    """A finished child process: its exit code (minus the signal's number if one killed it), its own peak
    resident memory and what it wrote to stderr."""

    exit_code: int
    peak_rss_bytes: int
    stderr: str


# Run the command given as arguments (its output thrown away), then print its peak resident memory (KiB) and its
# wait status.
_PEAK_RSS_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, status)
"""


def measured_run(command: Sequence[str], environment: dict[str, str]) -> MeasuredRun:
    """Run ``command`` and measure its peak resident memory, not this process's.

    Linux carries a process's memory high-water mark across ``exec``: a child forked straight from this
    process (the benchmark, which by then holds the OCR models and the earlier runs' pages) reports at least
    this process's resident memory as its own peak. A small launcher process starts the command instead, so
    the command is forked from a process of a few MB and its peak is its own.
    """
    launcher = [sys.executable, "-c", _PEAK_RSS_LAUNCHER, *command]
    done = subprocess.run(launcher, env=environment, capture_output=True, check=False)
    stderr = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"the launcher of {command[0]} failed (exit {done.returncode}): {stderr[-500:]}")
    peak_kib, status = (int(value) for value in done.stdout.split())
    # ru_maxrss is in KiB on Linux; a command killed by a signal exits with minus the signal's number.
    return MeasuredRun(os.waitstatus_to_exitcode(status), peak_kib * 1024, stderr)


# ----------------------------------------------------------------------------------------------------------
# the engines side by side


def _engine_rows(
    packet: Path, chosen: Sequence[int], printed: Sequence[list[dict[str, Any]]], engines: Sequence[str], log: Log
) -> list[dict[str, Any]]:
    pages, texts = [], []
    with opened(packet, RenderOptions()) as document:
        for index, lines in zip(chosen, printed, strict=True):
            try:
                pages.append(document.render(index).image)  # only the chosen pages are rendered
            except DocumentError as exc:
                log(f"page {index} left out of the comparison: {exc}")
                continue
            texts.append(lines)
    ours = get_settings().ocr
    rows: list[dict[str, Any]] = []
    for key, options in _engine_setups(engines, ours):
        rows.append(_engine_row(key, options, pages, texts, log))
    return rows


TESSERACT_PAGE_AT_A_TIME = "tesseract-page-at-a-time"
"""The row of Tesseract reading one page at a time on every core (its OpenMP threads capped at the cores)."""


def _engine_setups(engines: Sequence[str], ours: OcrOptions) -> list[tuple[str, OcrOptions]]:
    """Each compared engine's row key and options: ours as configured; the others with our page preparation and
    their own defaults (pages side by side, one per worker); Tesseract also one page at a time on every core (the
    faster of the two is the baseline)."""
    setups: list[tuple[str, OcrOptions]] = []
    for name in engines:
        if name == ours.engine:
            setups.append((name, ours))
            continue
        options = ours.model_copy(update={"engine": name, "workers": 0, "threads": 0})
        setups.append((name, options))
        if name == "tesseract":
            page_at_a_time = options.model_copy(update={"workers": 1, "threads": available_cores()})
            setups.append((TESSERACT_PAGE_AT_A_TIME, page_at_a_time))
    return setups


def _engine_row(
    key: str, options: OcrOptions, pages: Sequence[Any], printed: Sequence[list[dict[str, Any]]], log: Log
) -> dict[str, Any]:
    """The engine's seconds a page and character error rate, reading the pages as the pipeline does: as many at
    once as there are cores (the engine itself sets how many it reads side by side)."""
    try:
        start = time.perf_counter()
        engine = get_engine(options)
        load = time.perf_counter() - start
    except (ImportError, OSError) as exc:
        log(f"engine {key}: not available ({exc})")
        return {"key": key, "engine": key, "available": False, "reason": str(exc)}
    with ThreadPoolExecutor(max_workers=available_cores()) as pool:
        # Untimed: an engine's first reads also load what it loads lazily (each of its workers' models).
        list(pool.map(engine.read, pages[: available_cores()]))
        start = time.perf_counter()
        reads = list(pool.map(engine.read, pages))
        seconds = time.perf_counter() - start
    score = TextScore()
    for lines, read in zip(printed, reads, strict=True):
        score.add(score_page(lines, read))
    row: dict[str, Any] = {
        "key": key,
        "engine": engine.name,
        "available": True,
        "pages": len(pages),
        "workers": reading_workers(options),
        "threads_per_worker": worker_threads(options),
        "load_s": round(load, 2),
        "seconds_per_page": round(seconds / len(pages), 3) if pages else None,
        "cer": round(score.cer, 5) if score.cer is not None else None,
        "characters": score.characters,
        "stray_characters": score.stray,
    }
    log(f"engine {key} ({row['engine']}): {row['seconds_per_page']} s/page, CER {row['cer']}")
    return row


# ----------------------------------------------------------------------------------------------------------
# figures


def _target_figures(figures: dict[str, Any]) -> dict[str, float | None]:
    rows = {row["key"]: row for row in figures["engines"] if row.get("available")}
    ours = rows.get(figures["ours"])
    tesseract = min(
        (rows[key] for key in ("tesseract", TESSERACT_PAGE_AT_A_TIME) if key in rows),
        key=lambda row: float(row["seconds_per_page"]),
        default=None,
    )
    pipeline = figures["pipeline"]
    twelve = pipeline["packets"][-1]
    end_to_end = figures["big_packet"]["seconds_per_page"]
    return {
        "speedup_vs_tesseract": round(tesseract["seconds_per_page"] / end_to_end, 2) if tesseract else None,
        "cer_margin_vs_tesseract": round(tesseract["cer"] - ours["cer"], 5) if tesseract and ours else None,
        "non_ocr_share": pipeline["non_ocr_share"],
        "twelve_page_packet_s": twelve["wall_s"],
        "big_packet_peak_rss_gb": figures["big_packet"]["peak_rss_gb"],
        "prefect_overhead_s_per_packet": pipeline["prefect_overhead_s_per_packet"],
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    import onnxruntime

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": available_cores(),
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "onnxruntime_providers": onnxruntime.get_available_providers(),
    }


def format_speed(figures: dict[str, Any]) -> str:
    """The side-by-side table, the pipeline's stages and the targets."""
    machine_line = figures["machine"]
    lines = [f"machine: {machine_line['cpu']}, {machine_line['cores']} cores", ""]
    ours = next((row for row in figures["engines"] if row.get("available") and row["key"] == figures["ours"]), None)
    lines.append(f"{'engine (same pages)':{_LABEL}} {'workers':>9} {'s/page':>8} {'vs ours':>8} {'CER':>8}")
    for row in figures["engines"]:
        label = row["engine"] if row["key"] == figures["ours"] else row["key"]
        if not row.get("available"):
            lines.append(f"{label:{_LABEL}} not available: {row['reason']}")
            continue
        ratio = row["seconds_per_page"] / ours["seconds_per_page"] if ours else None
        workers = f"{row.get('workers', '?')}x{row.get('threads_per_worker', '?')}"
        seconds, cer = row["seconds_per_page"], 100 * row["cer"]
        lines.append(f"{label:{_LABEL}} {workers:>9} {seconds:8.2f} {_shown(ratio, 'x'):>8} {cer:7.2f}%")
    lines.append("(workers: pages read at once x threads each)")
    lines += [
        f"{row['key']}: {row['engine']}"
        for row in figures["engines"]
        if row.get("available") and row["key"] not in (row["engine"], figures["ours"])
    ]
    pipeline, big = figures["pipeline"], figures["big_packet"]
    lines += [
        "",
        f"pipeline, end to end: samples + 12-page packet {pipeline['seconds_per_page']} s/page "
        f"({pipeline['pages_per_minute']} pages/min); {big['pages']}-page packet {big['seconds_per_page']} s/page "
        f"({big['pages_per_minute']} pages/min), peak RSS {big['peak_rss_gb']} GB",
        "stage seconds (samples + 12-page packet): "
        + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in pipeline["stages_s"].items())
        + f"; OCR model time in all stages {pipeline['ocr_inference_s']:.1f}"
        + f"; Prefect overhead {pipeline['prefect_overhead_s_per_packet']} s/packet",
        f"{big['pages']}-page packet stage seconds: "
        + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in big["stages_s"].items()),
        "OCR model thread-seconds (every call, every stage), samples + 12-page packet: "
        + _models_shown(pipeline["ocr_models_s"])
        + f"; {big['pages']}-page packet: "
        + _models_shown(big["ocr_models_s"]),
        "",
        f"{'target':32} {'value':>10}  goal",
    ]
    for name, (op, goal) in SPEED_TARGETS.items():
        value = figures["targets"].get(name)
        met = target_met(value, op, goal)
        lines.append(f"{name:32} {_shown(value, ''):>10}  {op} {goal}  {'ok' if met else 'MISSED'}")
    return "\n".join(lines)


_LABEL = 26
"""Width of the engine column (``rapidocr-ppocrv6-det-int8``, ``tesseract-page-at-a-time``): the table's lines fit
in 80 columns, where the console wraps them."""


def _models_shown(seconds: dict[str, float]) -> str:
    return ", ".join(f"{model} {value:.1f}" for model, value in seconds.items()) or "none timed"


def _shown(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.4g}{unit}"


def install_tesseract(log: Log) -> None:
    """Install Debian's Tesseract and its chi_sim model with apt-get, unless the command is already there."""
    if shutil.which("tesseract") is not None:
        return
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    for command in (
        [*prefix, "apt-get", "update", "-q"],
        [*prefix, "apt-get", "install", "-y", "-q", "tesseract-ocr", "tesseract-ocr-chi-sim"],
    ):
        log(" ".join(command))
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
