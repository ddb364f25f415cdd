"""The `annotate` command line: one module per command group, each command a thin `X_cli` over one library
function whose result describes itself. `_app` holds what they share."""

from __future__ import annotations

# Importing a command module registers its commands; this order (the flow's) is the order of `annotate --help`.
from . import ingest, preannotate, train, labelstudio, agree, convert, gold, export, stats, schema  # noqa: F401, I001
from ._app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
