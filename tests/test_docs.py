"""The docs are tested: every command and subcommand has help text and its full command line in the README;
the two commands are there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from annotate.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group, prefix: str = "annotate") -> list[tuple[str, Any]]:
    """Every command and command group, by its full command line (`annotate server stop`). Typer's groups are not
    click.Group instances, so a group is whatever has subcommands."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if getattr(command, "commands", None):
            found.extend(commands(command, path))
    return found


ALL = commands(typer.main.get_command(app))


def test_every_stage_of_the_flow_is_a_command():
    names = {path for path, _ in ALL}
    for stage in ("ingest", "preannotate", "push", "pull", "agree", "gold", "evaluate", "stats", "export", "convert"):
        assert f"annotate {stage}" in names


def test_subcommands_are_found():
    names = {path for path, _ in ALL}
    assert {"annotate server", "annotate server stop", "annotate schema render"} <= names
    assert "--strict" in {option for p in dict(ALL)["annotate ingest"].params if p.param_type_name == "option"
                          for option in p.opts}


@pytest.mark.parametrize("path,command", ALL, ids=[path for path, _ in ALL])
def test_command_has_help_and_a_readme_line(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in README, f"{path} is not in README.md (write it out in full, in backticks)"
    for parameter in command.params:
        if parameter.param_type_name == "option" and parameter.name != "help":  # Typer's own click: no isinstance
            assert (parameter.help or "").strip(), f"{path} {parameter.opts[0]} has no help text"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "scripts/demo" in README and "scripts/test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


@pytest.mark.parametrize("doc", ["guidelines", "ingest", "preannotate", "labelstudio", "agreement", "gold_export_stats", "design"])
def test_linked_docs_exist(doc):
    assert f"docs/{doc}.md" in README
    assert (ROOT / "docs" / f"{doc}.md").is_file()
