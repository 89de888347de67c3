"""``python -m pipeline`` runs the ``dossier`` command."""

from pipeline.cli import app

app(prog_name="dossier")
