"""Prefect flows and tasks, the CLI, and (later) the watched folder and storage.

Importing the package sets defaults for Prefect before Prefect is imported: no
telemetry from an offline office PC, only warnings on the console, and time for
the temporary Prefect server to start (its first start creates its database,
which takes more than Prefect's default 20 s on a busy 2-core PC). Each can be
overridden by setting the variable in the environment.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
