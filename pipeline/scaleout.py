"""Running the flows beyond one PC: page OCR on a Dask cluster, runs started through a Prefect server.

Three ways out, smallest first:

* :func:`with_runner` gives any of our flows a Dask task runner, so that its mapped page OCR
  runs on the workers of the Dask scheduler at ``dask_address``.
* :func:`serve` registers a deployment and executes its runs in this process (long-lived).
* :func:`deploy` registers a deployment on a ``process`` work pool; ``prefect worker start
  --pool NAME`` on any machine where dossier is installed then executes its runs.

A deployment's entrypoint is a module path (``pipeline.flow.ingest_packet``), not a file, so
workers import the installed package and nothing is pulled or built. A Prefect worker loads
the flow from that path with the task runner it was defined with; when the deployment names
a Dask scheduler, its entrypoint is the same flow in :mod:`pipeline.dask_flows` instead, which
runs on the scheduler in ``DOSSIER_DASK_ADDRESS`` (set on the deployment as a job variable).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from prefect import Flow
from prefect.settings import PREFECT_API_URL
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.types.entrypoint import EntrypointType

logger = logging.getLogger(__name__)

DEFAULT_FLOW = "ingest-packet"
"""The flow served or deployed when none is named: file a packet's report in the database."""

FLOW_NAMES = ("ingest-packet", "process-packet")
"""Deployable flows of :mod:`pipeline.flow`, by their Prefect names."""

DASK_ADDRESS_ENV = "DOSSIER_DASK_ADDRESS"
"""Environment variable that carries a deployment's Dask scheduler address to the worker's flow run
(:attr:`pipeline.settings.Settings.dask_address`)."""

PROCESS_POOL_TYPE = "process"

P = ParamSpec("P")
R = TypeVar("R")


class ScaleOutError(RuntimeError):
    """Scale-out is not possible as asked: an extra is missing, no Prefect server is named, or an unknown flow."""


def task_runner(dask_address: str | None) -> TaskRunner[Any]:
    """The task runner for the flows: local threads, or the Dask scheduler at ``dask_address``.

    Args:
        dask_address: A Dask scheduler such as ``tcp://scheduler:8786``; ``None`` for the local threads
            :mod:`pipeline.flow` uses.

    Returns:
        A fresh task runner.

    Raises:
        ScaleOutError: ``dask_address`` is given but prefect-dask is not installed or no Prefect server is set.
    """
    if dask_address is None:
        from pipeline.flow import PAGE_TASK_THREADS

        return ThreadPoolTaskRunner(max_workers=PAGE_TASK_THREADS)
    # The Dask workers report their task runs to the flow's Prefect API. Without a server, each
    # worker process would start a temporary one of its own (on a remote machine: its own
    # database, which knows nothing of the flow run).
    require_api_url("running page OCR on a Dask cluster")
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError as exc:
        raise ScaleOutError(
            f'running tasks on a Dask cluster needs prefect-dask: pip install "dossier[dask]" ({exc})'
        ) from exc
    return DaskTaskRunner(address=dask_address)


def with_runner(flow_obj: Flow[P, R], dask_address: str | None) -> Flow[P, R]:
    """``flow_obj`` with the task runner of :func:`task_runner`; the flow itself is left as it is.

    Args:
        flow_obj: Any of our flows.
        dask_address: A Dask scheduler address, or ``None`` for local threads.

    Returns:
        The flow itself for local threads (its decorator already sets them); a copy with the Dask runner otherwise.
    """
    if dask_address is None:
        return flow_obj
    return flow_obj.with_options(task_runner=task_runner(dask_address))


def get_flow(flow_name: str) -> Flow[..., Any]:
    """The flow of :mod:`pipeline.flow` named ``flow_name`` (imported only now: it loads the pipeline).

    Raises:
        ScaleOutError: no deployable flow has that name.
    """
    if flow_name not in FLOW_NAMES:
        raise ScaleOutError(f"unknown flow {flow_name!r}; deployable flows: {', '.join(FLOW_NAMES)}")
    from pipeline.flow import ingest_packet, process_packet

    return ingest_packet if flow_name == ingest_packet.name else process_packet


def require_api_url(action: str) -> str:
    """The Prefect server's API URL; ``action`` cannot work with the temporary server of a local run.

    Args:
        action: What needs the server, for the error message.

    Returns:
        ``PREFECT_API_URL``.

    Raises:
        ScaleOutError: ``PREFECT_API_URL`` is not set.
    """
    url = PREFECT_API_URL.value()
    if not url:
        raise ScaleOutError(
            f"{action} needs a Prefect server: start one (prefect server start) and set PREFECT_API_URL, "
            "e.g. PREFECT_API_URL=http://prefect-host:4200/api"
        )
    return str(url)


def serve(
    flow_name: str = DEFAULT_FLOW,
    deployment_name: str = "dossier",
    dask_address: str | None = None,
    limit: int | None = None,
) -> None:
    """Register a deployment of the flow and execute its runs here until interrupted.

    Each run is executed in a subprocess of this one. Start runs with
    ``prefect deployment run '<flow>/<deployment>' --param path=...`` or from the Prefect UI.

    Args:
        flow_name: One of :data:`FLOW_NAMES`.
        deployment_name: Name of the deployment on the server.
        dask_address: Run page OCR on this Dask scheduler; ``None`` for local threads.
        limit: Most runs executed at once; ``None`` for no limit.

    Raises:
        ScaleOutError: no Prefect server is set, the flow is unknown, or prefect-dask is missing.
    """
    url = require_api_url("serving a flow")
    served = with_runner(get_flow(flow_name), dask_address)
    logger.info("serving %s/%s on %s", served.name, deployment_name, url)
    served.serve(name=deployment_name, limit=limit, entrypoint_type=EntrypointType.MODULE_PATH)


def deploy(
    work_pool: str,
    flow_name: str = DEFAULT_FLOW,
    deployment_name: str = "dossier",
    dask_address: str | None = None,
) -> UUID:
    """Register a deployment of the flow on a ``process`` work pool (created if absent) and return its id.

    ``prefect worker start --pool <work_pool>`` on any machine with dossier installed executes
    its runs, importing the flow from the installed package.

    Args:
        work_pool: Name of the work pool.
        flow_name: One of :data:`FLOW_NAMES`.
        deployment_name: Name of the deployment on the server.
        dask_address: Run page OCR of every run on this Dask scheduler; ``None`` for local threads
            on the worker.

    Returns:
        The deployment's id.

    Raises:
        ScaleOutError: no Prefect server is set, the flow is unknown, the pool is not a process pool,
            or prefect-dask is missing.
    """
    from prefect.deployments.runner import RunnerDeployment

    require_api_url("deploying a flow")
    flow_obj = get_flow(flow_name)
    if dask_address is not None:
        task_runner(dask_address)  # fails here, not on the workers, when prefect-dask is missing
    _ensure_process_pool(work_pool)
    deployment = RunnerDeployment.from_flow(
        flow_obj,
        deployment_name,
        work_pool_name=work_pool,
        job_variables={"env": {DASK_ADDRESS_ENV: dask_address}} if dask_address else None,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    if dask_address:
        deployment.entrypoint = f"pipeline.dask_flows.{flow_obj.fn.__name__}"
    # Not prefect.deploy(): in Prefect 3.8.8 it lists the pool's workers with a null limit, which
    # the server rejects (422). It would only check for images and print hints before this call.
    return asyncio.run(deployment.aapply(work_pool_name=work_pool))


def _ensure_process_pool(name: str) -> None:
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            client.create_work_pool(WorkPoolCreate(name=name, type=PROCESS_POOL_TYPE, base_job_template=template))
            logger.info("created work pool %s (type %s)", name, PROCESS_POOL_TYPE)
            return
    if pool.type != PROCESS_POOL_TYPE:
        raise ScaleOutError(f"work pool {name!r} is of type {pool.type!r}; dossier deploys to a process pool")
