"""The docs are tested: every command has help text and a line in the README; the two commands are there."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import typer.main

from annotate.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "annotate") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
        else:
            found.append((path, command))
    return found


ALL = commands(typer.main.get_command(app))


def test_every_stage_of_the_flow_is_a_command():
    names = {path for path, _ in ALL}
    for stage in ("ingest", "preannotate", "push", "pull", "agree", "gold", "evaluate", "stats", "export", "convert"):
        assert f"annotate {stage}" in names


@pytest.mark.parametrize("path,command", ALL, ids=[path for path, _ in ALL])
def test_command_has_help_and_a_readme_line(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    group, _, leaf = path.rpartition(" ")
    assert path in README or (f"{group} " in README and leaf in README), f"{path} is not in README.md"
    for parameter in command.params:
        if isinstance(parameter, click.Option) and parameter.name != "help":
            assert (parameter.help or "").strip(), f"{path} {parameter.opts[0]} has no help text"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "scripts/demo" in README and "scripts/test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


@pytest.mark.parametrize("doc", ["guidelines", "ingest", "preannotate", "labelstudio", "agreement", "gold_export_stats", "design"])
def test_linked_docs_exist(doc):
    assert f"docs/{doc}.md" in README
    assert (ROOT / "docs" / f"{doc}.md").is_file()
