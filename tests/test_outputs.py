"""Commands never destroy their input or a file they did not write, check the output before the work, refuse empty
input, and turn operating-system failures into `Error: PATH: problem; fix` with exit code 1 (issue 14, part B)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app

DATA = Path(__file__).parent / "data" / "gold"
ANNOTATIONS = DATA / "annotations.jsonl"  # several annotators per document
CORPUS = DATA / "corpus.jsonl"  # gold, one record per document
UNWRITABLE = Path("/sys/annotate-test")  # even root cannot create files in sysfs
CLOSED_PORT = "http://127.0.0.1:9"  # nothing listens: a command that connects fails differently
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def error_line(result) -> str:
    assert result.exit_code == 1, result.output
    return " ".join(result.stderr.split())


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def annotations(tmp_path) -> Path:
    return Path(shutil.copy(ANNOTATIONS, tmp_path / "a.jsonl"))


# ---------------------------------------------------------------------------------------------------------
# B1: an output that is the input


@pytest.mark.parametrize(("command", "option"), [
    (["gold", "{a}", "-o", "{a}"], "-o"),
    (["agree", "{a}", "-o", "{a}", "--bootstrap", "0"], "-o"),
    (["ingest", "{a}", "-o", "{a}"], "-o"),
    (["preannotate", "{a}", "-o", "{a}"], "-o"),
    (["stats", "{a}", "--html", "{a}"], "--html"),
    (["convert", "--from", "prodigy", "{a}", "-o", "{a}"], "-o"),
    (["gold", "{a}", "-o", "{dir}/gold.jsonl", "--conflicts", "{a}"], "--conflicts"),
    (["ingest", "{a}", "-o", "{dir}/articles.jsonl", "--report", "{a}"], "--report"),
    (["ingest", "{a}", "-o", "{dir}/link.jsonl"], "-o"),  # the same file through a symbolic link
])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, annotations, command, option):
    (tmp_path / "link.jsonl").symlink_to(annotations)
    before = files_of(tmp_path)
    args = [part.format(a=annotations, dir=tmp_path) for part in command]
    target = Path(args[args.index(option) + 1])
    assert error_line(run(*args)) == (f"Error: {target}: is also an input of this command; writing it would destroy "
                                      f"that input; give {option} another path")
    assert files_of(tmp_path) == before


def test_export_into_the_folder_that_holds_its_input_is_refused(tmp_path, annotations):
    before = files_of(tmp_path)
    message = error_line(run("export", annotations, "--format", "jsonl", "-o", tmp_path, "--force"))
    assert message == (f"Error: {tmp_path}: holds the input {annotations}, and the output folder is replaced as a whole; "
                       "give -o a folder that does not hold the input")
    assert files_of(tmp_path) == before


# ---------------------------------------------------------------------------------------------------------
# B2: gold's README.md and conflicts.jsonl


def test_gold_never_replaces_a_readme_it_did_not_write(tmp_path, annotations):
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("# My project\n\nDo not lose this.\n")
    message = error_line(run("gold", annotations, "-o", out / "data.jsonl"))
    assert message == (f"Error: {out / 'README.md'}: exists and was not written by this command; choose a new path, "
                       "or pass --force to replace it")
    assert files_of(out) == {"README.md": b"# My project\n\nDo not lose this.\n"}
    forced = run("gold", annotations, "-o", out / "data.jsonl", "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "README.md").read_text().startswith("# Gold set: project")


def test_gold_reruns_into_its_own_folder_without_force(tmp_path, annotations):
    first = run("gold", annotations, "-o", tmp_path / "gold" / "data.jsonl")
    assert first.exit_code == 0, first.output
    written = files_of(tmp_path / "gold")
    assert sorted(written) == ["README.md", "conflicts.jsonl", "data.jsonl"]
    again = run("gold", annotations, "-o", tmp_path / "gold" / "data.jsonl")
    assert again.exit_code == 0, again.output
    assert files_of(tmp_path / "gold") == written  # reproducible bytes


def test_gold_never_overwrites_the_conflicts_file_it_reads(tmp_path, annotations):
    out = tmp_path / "gold"
    assert run("gold", annotations, "-o", out / "data.jsonl").exit_code == 0
    conflicts = out / "conflicts.jsonl"
    before = files_of(out)
    message = error_line(run("gold", conflicts, "-o", out / "data.jsonl"))
    assert message == (f"Error: {conflicts}: is also an input of this command; writing it would destroy that input; "
                       "give --conflicts another path")
    assert files_of(out) == before


def test_gold_from_one_annotator_warns_that_it_is_not_a_consensus(tmp_path):
    alice = tmp_path / "alice.jsonl"
    alice.write_text("".join(line + "\n" for line in ANNOTATIONS.read_text().splitlines()
                             if json.loads(line).get("annotator") == "alice"))
    done = run("gold", alice, "-o", tmp_path / "gold" / "data.jsonl")
    assert done.exit_code == 0, done.output
    assert ("Warning: all documents had a single annotator: their gold is that person's record, not a consensus"
            in " ".join(done.stderr.split()))


# ---------------------------------------------------------------------------------------------------------
# B6: operating-system errors, checked before the work


@pytest.mark.parametrize("command", [
    ["ingest", str(CORPUS), "-o", "{out}"],
    ["preannotate", str(CORPUS), "-o", "{out}"],
    ["gold", str(ANNOTATIONS), "-o", "{out}"],
    ["agree", str(ANNOTATIONS), "--bootstrap", "0", "-o", "{out}"],
    ["convert", "--from", "prodigy", str(CORPUS), "-o", "{out}"],
    ["schema", "render", "-o", "{out}"],
    ["pull", "--project", "p", "-o", "{out}"],  # before connecting: nothing listens on CLOSED_PORT
])
def test_an_unwritable_folder_is_an_error_before_the_work(command):
    out = UNWRITABLE / "out.jsonl"
    result = run(*(part.format(out=out) for part in command),
                 env={"LABEL_STUDIO_URL": CLOSED_PORT, "LABEL_STUDIO_API_KEY": "x"})
    assert error_line(result) == (f"Error: {out}: cannot write (permission denied); choose a folder you can write "
                                  "to, or change its permissions")


@pytest.mark.parametrize("command", [
    ["ingest", str(CORPUS), "-o", "{dir}"],
    ["preannotate", str(CORPUS), "-o", "{dir}"],
    ["stats", str(CORPUS), "--html", "{dir}"],
])
def test_an_output_that_is_a_folder_is_an_error(tmp_path, command):
    option = "--html" if "--html" in command else "-o"
    message = error_line(run(*(part.format(dir=tmp_path) for part in command)))
    assert message == f"Error: {tmp_path}: is a folder; give {option} a file path, e.g. {tmp_path / 'out.jsonl'}"


def test_a_url_without_its_scheme_is_a_clear_error(tmp_path):
    result = run("pull", "--project", "p", "-o", tmp_path / "out.jsonl",
                 env={"LABEL_STUDIO_URL": "localhost:8080", "LABEL_STUDIO_API_KEY": "x"})
    assert error_line(result) == ("Error: LABEL_STUDIO_URL is 'localhost:8080', which is not an http(s) URL; write it "
                                  "with its scheme, e.g. http://localhost:8080")
    assert not (tmp_path / "out.jsonl").exists()


# ---------------------------------------------------------------------------------------------------------
# Overwriting: the command's own kind of output is replaced; anything else needs --force


@pytest.mark.parametrize("command", [
    ["agree", str(ANNOTATIONS), "--bootstrap", "0", "-o", "{out}"],
    ["stats", str(CORPUS), "--html", "{out}"],
    ["ingest", str(CORPUS), "-o", "{out}"],
    ["schema", "render", "-o", "{out}"],
])
def test_a_file_the_command_did_not_write_needs_force_and_a_rerun_does_not(tmp_path, command):
    out = tmp_path / "notes.txt"
    out.write_text("my notes\n")
    args = [part.format(out=out) for part in command]
    assert error_line(run(*args)) == (f"Error: {out}: exists and was not written by this command; choose a new path, "
                                      "or pass --force to replace it")
    assert out.read_text() == "my notes\n"
    forced = run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    rerun = run(*args)  # now it is the command's own output
    assert rerun.exit_code == 0, rerun.output


# ---------------------------------------------------------------------------------------------------------
# B7: empty input


@pytest.mark.parametrize(("command", "message"), [
    (["stats", "{empty}"], "{empty}: holds no records. Give a JSONL file of records: articles, predictions, "
                           "annotations or gold"),
    (["preannotate", "{empty}", "-o", "{dir}/p.jsonl"], "{empty}: holds no records. Give article records, e.g. the "
                                                        "output of `annotate ingest`"),
    (["push", "{empty}", "--project", "p"], "{empty}: holds no records. Give the records to annotate, e.g. the output "
                                            "of `annotate preannotate`"),
    (["convert", "--from", "prodigy", "{empty}", "-o", "{dir}/c.jsonl"], "{empty}: holds no Prodigy examples (the file "
                                                                         "is empty). Export a dataset with: prodigy "
                                                                         "db-out DATASET > annotations.jsonl"),
    (["ingest", "{empty}", "-o", "{dir}/i.jsonl"], "{empty}: no articles to write ({empty}: is empty (no records). "
                                                   "Give one JSON object with a \"text\" field per line). Fix or "
                                                   "remove the inputs above"),
])
def test_empty_input_is_an_error_and_writes_nothing(tmp_path, command, message):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = run(*(part.format(empty=empty, dir=tmp_path) for part in command),
                 env={"LABEL_STUDIO_URL": CLOSED_PORT, "LABEL_STUDIO_API_KEY": "x"})
    assert error_line(result) == "Error: " + message.format(empty=empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl"]


# ---------------------------------------------------------------------------------------------------------
# B5: a text over the pipeline limit in ingest


def test_ingest_skips_a_record_over_the_pipeline_limit_quickly(tmp_path):
    import subprocess
    import time

    sentence = "Officials said the bridge would reopen on Monday after repairs. "
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps({"text": sentence * 40_000}) + "\n"  # 2.56 million characters, one paragraph
                      + json.dumps({"text": "The mayor confirmed the plan on Tuesday, her office said."}) + "\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "annotate", "ingest", str(source), "-o", str(tmp_path / "out.jsonl")],
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert (f"Skipped: {source}:1: field \"text\": has 2,559,999 characters after cleaning, more than the pipeline's "
            "max_length (1,000,000). Split the article into parts of at most that length") in done.stderr
    assert [json.loads(line)["text"] for line in (tmp_path / "out.jsonl").read_text().splitlines()] == [
        "The mayor confirmed the plan on Tuesday, her office said."]
    assert time.monotonic() - started < 60
