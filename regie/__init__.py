"""Regie's application glue: settings, records, the Temporal client, the worker and the CLI."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
