"""`annotate claims link | report | evaluate | push | pull`: the same claim across outlets, its figures and their
conflicts, checked by people in Label Studio and scored against gold groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import CredentialsOption, ForceOption, app, print_json, reported_errors, say

claims_app = typer.Typer(help="Link the same claim across outlets, compare its figures, report conflicts.",
                         no_args_is_help=True)
app.add_typer(claims_app, name="claims")

ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", help="Claims config TOML (default: $ANNOTATE_CONFIG_DIR/claims.toml, else the packaged one).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result on stdout.")]


@claims_app.command("link")
def link_cli(
    records: Annotated[Path, typer.Argument(help="Documents with CLAIM spans (gold, pulled annotations or predictions), JSONL.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the groups (JSONL, one group per line).")],
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Link score needed to join two figures (default: [link] threshold in the config).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy pipeline for entities and the parse.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Whose records to use when a document has several.")] = None,
    config: ConfigOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Group claims from different documents that state the same figure, and mark where the figures conflict."""
    from ..claims import link_claims

    with reported_errors():
        result = link_claims(records, output, threshold=threshold, model=model, config=config, annotator=annotator,
                             force=force)
    if as_json:
        print_json(result.to_dict())
    say(*result.summary_lines())


@claims_app.command("report")
def report_cli(
    claims: Annotated[Path, typer.Argument(help="Groups written by `annotate claims link`.")],
    html: Annotated[Optional[Path], typer.Option("--html", help="Write a self-contained offline HTML report.")] = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show each group of claims side by side (figure, bound, source, outlet, cue, certainty), conflicts first."""
    from ..claims.report import claims_report

    with reported_errors():
        report = claims_report(claims, html, force=force)
    if as_json:
        print_json(report.to_dict())
    say(*report.summary_lines())


@claims_app.command("evaluate")
def evaluate_cli(
    claims: Annotated[Path, typer.Argument(help="Groups written by `annotate claims link`.")],
    gold: Annotated[Path, typer.Argument(help="Gold groups, e.g. gold/seed/claims.jsonl.")],
    as_json: JsonOption = False,
) -> None:
    """Score linking against gold groups: pairwise precision, recall and F1, and B³."""
    from ..claims.evaluate import evaluate_groups, read_gold_groups
    from ..claims.groups_io import read_groups

    with reported_errors():
        scores = evaluate_groups(read_groups(claims), read_gold_groups(gold))
    if as_json:
        print_json(scores.to_dict())
    say(*scores.summary_lines())


@claims_app.command("push")
def push_cli(
    claims: Annotated[Path, typer.Argument(help="Groups written by `annotate claims link`.")],
    project: Annotated[str, typer.Option("--project", help="Label Studio project title (created if missing).")],
    credentials: CredentialsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send pairs of linked claims to Label Studio as comparison tasks: same claim / related / different, and
    whether the figures conflict."""
    from ..claims.groups_io import read_groups
    from ..claims.judgments import push_pairs
    from ..labelstudio.client import LabelStudioClient

    with reported_errors():
        groups = read_groups(claims)
        client = LabelStudioClient.from_environment(credentials)
        try:
            result = push_pairs(groups, project=project, client=client)
        finally:
            client.close()
    if as_json:
        print_json(result.to_dict())
    say(*result.summary_lines())


@claims_app.command("pull")
def pull_cli(
    project: Annotated[str, typer.Option("--project", help="The comparison project's title.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the judgments (JSONL, one per pair and annotator).")],
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Also write gold groups built from the judgments (majority 'same claim').")] = None,
    claims: Annotated[Optional[Path], typer.Option("--claims", help="The claims file that was pushed (gives the gold its figure texts).")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap resamples of pairs for the 95% intervals.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    credentials: CredentialsOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Bring people's link judgments back, measure their agreement (κ and α with CIs) and build gold groups."""
    from ..claims.groups_io import read_groups
    from ..claims.judgments import pull_judgments
    from ..labelstudio.client import LabelStudioClient

    with reported_errors():
        groups = read_groups(claims) if claims is not None else []
        client = LabelStudioClient.from_environment(credentials)
        try:
            result = pull_judgments(project=project, client=client, output=output, gold=gold, claims=groups,
                                    bootstrap=bootstrap, seed=seed, force=force)
        finally:
            client.close()
    if as_json:
        print_json(result.to_dict())
    say(*result.summary_lines())
