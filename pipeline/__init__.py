"""Prefect flows and tasks, the CLI, and (later) the watched folder and storage.

Importing the package sets quiet defaults for Prefect before Prefect is imported:
no telemetry from an offline office PC, and only warnings on the console. Each
can be overridden by setting the variable in the environment.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
