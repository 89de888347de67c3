"""Scale-out for real: page OCR on a two-process Dask cluster, and runs started through a Prefect server
on loopback, served by ``dossier deploy`` or executed by a ``prefect worker`` of a process work pool."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner
from typer.testing import CliRunner

from extractors.pdf import sha256_file
from models import PacketReport, PacketStatus
from pipeline.cli import app
from pipeline.scaleout import ScaleOutError, task_runner
from pipeline.settings import get_settings
from pipeline.storage import get_store
from samples import sample_packets

SERVER_START_S = 120.0
DEPLOYMENT_READY_S = 90.0
RUN_S = 240.0
STOP_S = 20.0
POLL_S = 0.5


@pytest.fixture(scope="module")
def packet() -> Path:
    """The smallest committed sample packet (four pages): OCR is the cost, so the fewest pages."""
    return min(sample_packets(), key=lambda path: path.stat().st_size)


@pytest.fixture(scope="module")
def dask_workers_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dask workers' own DOSSIER_DATA_DIR: it must stay empty, the flow passes them every path."""
    return tmp_path_factory.mktemp("dask-workers-data")


@pytest.fixture(scope="module")
def dask_cluster(dask_workers_data_dir: Path) -> Iterator[LocalCluster]:
    """Two worker processes of one thread each, as ``dask worker --nworkers 2 --nthreads 1`` would start."""
    with LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        env={"DOSSIER_DATA_DIR": str(dask_workers_data_dir)},
    ) as cluster:
        yield cluster


@pytest.fixture
def dask_client(dask_cluster: LocalCluster) -> Iterator[Client]:
    """A client of the cluster that records which tasks ran on which worker."""
    with Client(dask_cluster.scheduler_address, set_as_default=False) as client:
        client.get_task_stream()  # the scheduler records the task stream from the first call on
        yield client


def ocr_tasks_on_workers(client: Client, since: float) -> list[str]:
    """The Dask worker of each ``ocr-page`` task run finished on the cluster since ``since``."""
    return [record["worker"] for record in client.get_task_stream(start=since) if "ocr_page" in str(record["key"])]


def comparable(report: PacketReport) -> dict[str, Any]:
    """The report as JSON, less the timings (the one part that differs between two runs)."""
    data = report.model_dump(mode="json")
    del data["timings"]
    return data


@pytest.mark.flow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("prefect_harness")
def test_a_dask_cluster_gives_the_report_of_the_local_run(
    packet: Path,
    dask_cluster: LocalCluster,
    dask_client: Client,
    dask_workers_data_dir: Path,
    tmp_path: Path,
) -> None:
    ocr_cache = get_settings().ocr_cache_dir
    assert not ocr_cache.exists()  # nothing read yet: the Dask run must really read the pages
    started = time.time()

    on_dask = process(packet, tmp_path / "dask", "--dask-address", dask_cluster.scheduler_address)

    ran_on = ocr_tasks_on_workers(dask_client, started)
    assert len(ran_on) == len(on_dask.pages) == 4
    assert set(ran_on) <= set(dask_client.scheduler_info()["workers"])
    assert len(list(ocr_cache.glob("*.json"))) == 4  # written by the Dask workers
    assert not any(dask_workers_data_dir.iterdir())  # they used the flow's paths, not their own settings
    assert on_dask.status == PacketStatus.OK
    assert all(page.ocr_engine for page in on_dask.pages)

    local = process(packet, tmp_path / "local")

    assert comparable(local) == comparable(on_dask)


def process(packet: Path, out: Path, *options: str) -> PacketReport:
    """``dossier process PACKET --out OUT [options]``, and the report it wrote."""
    done = CliRunner().invoke(app, ["process", str(packet), "--out", str(out), *options])
    assert done.exit_code == 0, done.output
    return PacketReport.from_json((out / f"{packet.stem}.json").read_text(encoding="utf-8"))


@pytest.fixture
def no_prefect_server() -> Iterator[None]:
    """No PREFECT_API_URL, as on a PC that runs dossier on its own (even when the session's harness is up)."""
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


@pytest.mark.usefixtures("no_prefect_server")
def test_page_ocr_on_dask_needs_a_prefect_server(packet: Path, tmp_path: Path) -> None:
    # Without one, every Dask worker process would start a temporary server of its own.
    with pytest.raises(ScaleOutError, match="PREFECT_API_URL"):
        task_runner("tcp://127.0.0.1:8786")
    assert isinstance(task_runner(None), ThreadPoolTaskRunner)

    command = ["process", str(packet), "--out", str(tmp_path / "out"), "--dask-address", "tcp://127.0.0.1:8786"]
    done = CliRunner().invoke(app, command)
    assert done.exit_code == 2 and "PREFECT_API_URL" in done.output
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("no_prefect_server")
def test_deploy_needs_a_prefect_server_and_a_known_flow() -> None:
    for command in (["deploy"], ["deploy", "--work-pool", "office"]):
        done = CliRunner().invoke(app, command)
        assert done.exit_code == 2 and "needs a Prefect server" in done.output, done.output
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        done = CliRunner().invoke(app, ["deploy", "--flow", "no-such-flow"])
    assert done.exit_code == 2 and "unknown flow 'no-such-flow'" in done.output, done.output


# --- a Prefect server on loopback -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Prefect or dossier settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DOSSIER_"))}
    return {**env, **extra}


@contextmanager
def started(command: Sequence[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` running in its own process group, output to ``log``; the whole group is stopped on exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_S)
            break
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # children that outlived the leader (a flow run's process)
        os.killpg(process.pid, signal.SIGKILL)


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def wait_until(ready: Callable[[], bool], seconds: float, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``ready`` until it holds; fail when ``process`` exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited with {process.returncode}:\n{tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{process.args!r} not ready after {seconds:.0f}s:\n{tail(log)}")
        time.sleep(POLL_S)


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``prefect server start`` on a free loopback port, its SQLite database in a temporary PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    env = clean_env(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false")
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with started(command, env, home / "server.log", home) as server:
        api_url = f"http://127.0.0.1:{port}/api"
        wait_until(lambda: healthy(api_url), SERVER_START_S, server, home / "server.log")
        with temporary_settings({PREFECT_API_URL: api_url}):
            yield api_url


@pytest.fixture(scope="module")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the runs through the server: the second reads the pages from the OCR cache."""
    return tmp_path_factory.mktemp("scaleout-data")


def machine_env(api_url: str, data_dir: Path, db: Path, home: Path) -> dict[str, str]:
    """What an office machine running dossier is given: the server, the data folder and the database."""
    return clean_env(
        PREFECT_API_URL=api_url,
        PREFECT_HOME=str(home),
        PREFECT_RUNNER_POLL_FREQUENCY="1",
        PREFECT_WORKER_QUERY_SECONDS="1",
        DOSSIER_DATA_DIR=str(data_dir),
        DOSSIER_DB_URL=f"sqlite:///{db}",
    )


def deployment_exists(name: str) -> bool:
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
    return True


def run_packet(deployment: str, packet: Path, reports: Path) -> FlowRun:
    flow_run = run_deployment(
        deployment, parameters={"path": str(packet), "reports_dir": str(reports)}, timeout=RUN_S, poll_interval=1
    )
    assert isinstance(flow_run, FlowRun)
    return flow_run


def assert_ingested(flow_run: FlowRun, packet: Path, reports: Path, db: Path, log: Path) -> None:
    """The run completed, its report file is written and the packet is in the database."""
    assert flow_run.state is not None and flow_run.state.is_completed(), f"{flow_run.state!r}\n{tail(log)}"
    [report_file] = reports.glob("*.json")
    report = PacketReport.model_validate(json.loads(report_file.read_text(encoding="utf-8")))
    assert report.packet_id == sha256_file(packet) and report.status == PacketStatus.OK
    assert report_file.name == f"{packet.stem}.{report.packet_id[:12]}.json"
    assert get_store(f"sqlite:///{db}").packet(report.packet_id) is not None


@pytest.mark.flow
@pytest.mark.timeout(300)
def test_a_served_deployment_runs_through_the_server(
    prefect_server: str, shared_data_dir: Path, packet: Path, tmp_path: Path
) -> None:
    db, reports, log = tmp_path / "dossier.db", tmp_path / "reports", tmp_path / "serve.log"
    env = machine_env(prefect_server, shared_data_dir, db, tmp_path / "prefect")
    command = [sys.executable, "-m", "pipeline", "deploy", "--name", "served"]  # ingest-packet by default
    with started(command, env, log, tmp_path) as serving:
        wait_until(lambda: deployment_exists("ingest-packet/served"), DEPLOYMENT_READY_S, serving, log)
        flow_run = run_packet("ingest-packet/served", packet, reports)
    assert_ingested(flow_run, packet, reports, db, log)


@pytest.mark.flow
@pytest.mark.timeout(300)
def test_a_worker_of_a_process_pool_runs_a_deployment_with_ocr_on_dask(
    prefect_server: str,
    shared_data_dir: Path,
    packet: Path,
    dask_cluster: LocalCluster,
    dask_client: Client,
    tmp_path: Path,
) -> None:
    db, reports, log = tmp_path / "dossier.db", tmp_path / "reports", tmp_path / "worker.log"
    env = machine_env(prefect_server, shared_data_dir, db, tmp_path / "prefect")
    deploy = [sys.executable, "-m", "pipeline", "deploy", "--flow", "ingest-packet", "--name", "pooled"]
    deploy += ["--work-pool", "office", "--dask-address", dask_cluster.scheduler_address]
    done = subprocess.run(deploy, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert deployment_exists("ingest-packet/pooled")

    started_at = time.time()
    # The worker starts in a folder of its own: the flow is imported from the installed package.
    worker = [sys.executable, "-m", "prefect", "worker", "start", "--pool", "office"]
    with started(worker, env, log, tmp_path):
        flow_run = run_packet("ingest-packet/pooled", packet, reports)
    assert_ingested(flow_run, packet, reports, db, log)
    assert len(ocr_tasks_on_workers(dask_client, started_at)) == 4
