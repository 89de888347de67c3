"""Entrypoints of deployments whose page OCR runs on a Dask cluster.

The flows of :mod:`pipeline.flow` with the Dask task runner of the scheduler named in
``DOSSIER_DASK_ADDRESS``, which ``dossier deploy --dask-address`` sets on the deployment
as a job variable. A Prefect worker imports this module in each flow run's process.
"""

from __future__ import annotations

from pipeline import flow
from pipeline.scaleout import with_runner
from pipeline.settings import get_settings

_address = get_settings().dask_address

ingest_packet = with_runner(flow.ingest_packet, _address)
process_packet = with_runner(flow.process_packet, _address)
