"""`annotate session create | status`: annotation sessions on open-source Label Studio."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import CredentialsOption, SchemaOption, app, print_json, reported_errors, say, warn

session_app = typer.Typer(help="Annotation sessions: a Label Studio project per annotator, designed blind overlap, "
                               "progress and running agreement.", no_args_is_help=True)
app.add_typer(session_app, name="session")

SessionDirOption = Annotated[Optional[Path], typer.Option(
    "--session-dir", help="Folder of session plans and passwords (default: $ANNOTATE_SESSION_DIR, else .annotate/sessions).")]


@session_app.command("create")
def session_create_cli(
    name: Annotated[str, typer.Argument(help="Session name; each annotator's project is titled 'NAME · EMAIL'.")],
    predictions: Annotated[Path, typer.Argument(help="AnnotatedDoc JSONL: articles and/or their pre-annotations.")],
    annotators: Annotated[str, typer.Option("--annotators", help="Comma-separated emails; missing accounts are created with generated passwords.")] = ...,
    per_doc: Annotated[int, typer.Option("--per-doc", help="Annotators per overlap document (K).")] = 2,
    overlap: Annotated[float, typer.Option("--overlap", help="Fraction of documents in the overlap set, annotated blind by K people each.")] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the assignment: the same input and seed give the same plan.")] = 0,
    order: Annotated[str, typer.Option("--order", help="Task order, as for push: uncertain-first (documents the model is least sure of first) or file.")] = "uncertain-first",
    layers: Annotated[str, typer.Option("--layers", help="Layers to show and pre-fill: attribution, or attribution,entities.")] = "attribution",
    show_passwords: Annotated[bool, typer.Option("--show-passwords", help="Also print the new accounts' passwords (stdout).")] = False,
    session_dir: SessionDirOption = None,
    schema_path: SchemaOption = None,
    credentials: CredentialsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout (never passwords).")] = False,
) -> None:
    """Create or extend a session: accounts, a plan with blind overlap, one project per annotator; idempotent."""
    from ..labelstudio.client import LabelStudioClient
    from ..labelstudio.session import check_name, create_session
    from ..labelstudio.session_plan import check_options
    from ..records import read_docs
    from ..schema import load_schema

    with reported_errors():
        emails = [email.strip() for email in annotators.split(",") if email.strip()]
        check_name(name)
        check_options(emails, per_doc, overlap, order)  # before looking for a server: the fix is in the command line
        result = create_session(name, read_docs(predictions), emails, client=LabelStudioClient.from_environment(credentials),
                                per_doc=per_doc, overlap=overlap, seed=seed, order=order,
                                layers=[layer.strip() for layer in layers.split(",") if layer.strip()],
                                schema=load_schema(schema_path), base_dir=session_dir, where=str(predictions))
        warn(result.warnings)
        if as_json:
            print_json(result.to_dict())
        else:
            say(*result.summary_lines())
        if show_passwords:
            for email, password in result.passwords.items():
                sys.stdout.write(f"{email}\t{password}\n")


@session_app.command("status")
def session_status_cli(
    name: Annotated[str, typer.Argument(help="Session name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON on stdout.")] = False,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Document resamples for the agreement's 95% intervals.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap, as for `annotate agree`.")] = 0,
    session_dir: SessionDirOption = None,
    schema_path: SchemaOption = None,
    credentials: CredentialsOption = None,
) -> None:
    """Progress per annotator and the running agreement (span F1, token alpha, with CIs) on the overlap set."""
    from ..labelstudio.client import LabelStudioClient
    from ..labelstudio.session import session_status
    from ..schema import load_schema

    with reported_errors():
        status = session_status(name, client=LabelStudioClient.from_environment(credentials), base_dir=session_dir,
                                schema=load_schema(schema_path), bootstrap=bootstrap, seed=seed)
        if as_json:
            print_json(status.to_dict())
        else:
            say(*status.summary_lines())
