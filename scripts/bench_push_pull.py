"""Benchmarks for push and pull against a real Label Studio, each against the raw SDK call on the same payload.

1. push vs raw `projects.import_tasks`: 2,000 documents with their predictions (spans, attributes, relations).
   Ours is the whole `push`: read and check the JSONL file, validate against the schema and LabelInterface, find or
   create the project, index it, import in chunks, save the index. Raw is one `import_tasks` call with the same
   tasks, already built, into a project made beforehand. Target: raw time / our time >= 0.8.
2. re-push of the unchanged corpus, against our first push. Target: <= 10% of the first push.
3. pull vs raw JSON export: 2,000 tasks each with one submitted annotation. Ours is `pull` plus writing the
   JSONL file (export, users, conversion with offset checks, atomic write); raw is `projects.exports.as_json`.
   Target: raw time / our time >= 0.8.
Each pair runs alternately, --repeats times, in fresh projects; the best time of each side is compared.

Run: scripts/bench_push_pull [--docs 2000] [--repeats 2] [--credentials FILE] [--json results.json]
Without --credentials it starts its own Label Studio in a temp dir (about a minute) and stops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotate.labelstudio import server  # noqa: E402
from annotate.labelstudio.client import Connection, LabelStudioClient  # noqa: E402
from annotate.labelstudio.results import doc_to_results, doc_to_task  # noqa: E402
from annotate.labelstudio.sync import pull, push  # noqa: E402
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, write_docs  # noqa: E402
from annotate.schema import load_schema, render_label_config  # noqa: E402

SOURCES = ("Officials", "A ministry spokesperson", "The governor", "Western intelligence", "Local residents", "The agency")
CUES = ("said", "told", "claimed", "reported", "confirmed", "warned")
SUPPLEMENTS = ("the BBC", "reporters", "a news conference", "state television")
CLAIMS = ("{n} troops had crossed the border", "the bridge near {place} was destroyed",
          "talks would resume next week", "{n} civilians had been evacuated from {place}",
          "the convoy reached {place} on Monday")
PLACES = ("Kursk", "Kharkiv", "Odesa", "Sumy", "Belgorod")


def corpus(count: int, seed: int = 0) -> list[AnnotatedDoc]:
    """Short news-like documents, each with a model's SOURCE / CUE / CLAIM / SUPPLEMENT, a GPE, attributes and links."""
    rng = random.Random(seed)
    docs = []
    for number in range(count):
        source, cue, supplement = rng.choice(SOURCES), rng.choice(CUES), rng.choice(SUPPLEMENTS)
        place = rng.choice(PLACES)
        claim = rng.choice(CLAIMS).format(n=rng.randint(2, 9000), place=place)
        text = f"Report {number}. {source} {cue} {supplement} that {claim}. More details are expected."
        at = text.index
        s, q, x, c = at(source), at(f" {cue} ") + 1, at(supplement), at(claim)
        spans = [make_span(text, "s", s, s + len(source), "SOURCE", {"source_type": "anonymous_official"}, 0.91),
                 make_span(text, "q", q, q + len(cue), "CUE", {"cue_stance": "neutral"}, 0.88),
                 make_span(text, "x", x, x + len(supplement), "SUPPLEMENT", {}, 0.6),
                 make_span(text, "c", c, c + len(claim), "CLAIM", {"claim_type": "event", "certainty": "certain"}, 0.75)]
        if place in claim:
            g = at(place, c)
            spans.append(make_span(text, "g", g, g + len(place), "GPE", {}, 0.99))
        relations = (Relation("c", "s", "attributed_to"), Relation("q", "c", "cue_of"), Relation("x", "c", "supplement_of"))
        docs.append(AnnotatedDoc(make_doc_id(text), text, "model:bench@1", tuple(spans), relations,
                                 {"title": f"Report {number}"}))
    return docs


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def run(client: LabelStudioClient, docs: list[AnnotatedDoc], repeats: int, workdir: Path) -> dict:
    schema = load_schema()
    config = render_label_config(schema)
    path = workdir / "predictions.jsonl"
    write_docs(path, docs)
    tasks = [doc_to_task(doc, schema) for doc in docs]
    sdk = client._sdk  # the raw baseline calls the SDK directly, as a user of the SDK alone would
    stamp = time.strftime("%H%M%S")
    from annotate.records import read_docs

    raw_push, our_push, repush = [], [], []
    for attempt in range(repeats):
        project = sdk.projects.create(title=f"bench-raw-{stamp}-{attempt}", label_config=config)
        seconds, _ = timed(lambda: sdk.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True))
        raw_push.append(seconds)
        title = f"bench-push-{stamp}-{attempt}"
        seconds, summary = timed(lambda: push(read_docs(path), project=title, client=client, schema=schema))
        assert summary.tasks_created == len(docs), summary
        our_push.append(seconds)
        seconds, again = timed(lambda: push(read_docs(path), project=title, client=client, schema=schema))
        assert again.tasks_created == 0 and again.predictions_created == 0, again
        repush.append(seconds)

    # A project whose every task carries one submitted annotation (imported with the tasks, as LS allows).
    annotated = [{**task, "annotations": [{"result": doc_to_results(doc, schema), "lead_time": 12.5}]}
                 for doc, task in zip(docs, tasks)]
    title = f"bench-pull-{stamp}"
    project = sdk.projects.create(title=title, label_config=config)
    sdk.projects.import_tasks(id=project.id, request=annotated)
    raw_pull, our_pull = [], []
    output = workdir / "annotations.jsonl"
    for _ in range(repeats):
        seconds, exported = timed(lambda: sdk.projects.exports.as_json(project.id))
        assert len(exported) == len(docs)
        raw_pull.append(seconds)

        def ours() -> int:
            pulled, _ = pull(project=title, client=client)
            return write_docs(output, pulled)
        seconds, written = timed(ours)
        assert written == len(docs), written
        our_pull.append(seconds)

    best = {name: min(values) for name, values in {"raw_push": raw_push, "push": our_push, "repush": repush,
                                                     "raw_pull": raw_pull, "pull": our_pull}.items()}
    return {
        "documents": len(docs), "repeats": repeats,
        "seconds": {"raw_import_tasks": raw_push, "push": our_push, "repush": repush,
                    "raw_export_json": raw_pull, "pull": our_pull},
        "push_ratio": best["raw_push"] / best["push"],
        "repush_fraction": best["repush"] / best["push"],
        "pull_ratio": best["raw_pull"] / best["pull"],
        "targets": {"push_ratio": ">= 0.8", "repush_fraction": "<= 0.10", "pull_ratio": ">= 0.8"},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--credentials", type=Path, help="Use this server (credentials.json) instead of starting one.")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)

    with tempfile.TemporaryDirectory(prefix="bench-ls-") as scratch:
        workdir = Path(scratch)
        import os

        os.environ["ANNOTATE_CACHE_DIR"] = str(workdir / "cache")
        started = None
        if args.credentials:
            found = server.load_credentials(args.credentials)
            connection = Connection(found.url, found.token)
        else:
            print("starting a Label Studio for the benchmark (about a minute)...", file=sys.stderr)
            started = server.start(workdir / "ls", port=server.free_port())
            connection = Connection(started.url, server.load_credentials(started.credentials_path).token)
        try:
            results = run(LabelStudioClient(connection), corpus(args.docs), args.repeats, workdir)
        finally:
            if started is not None:
                server.stop(started.data_dir)

    s = results["seconds"]
    print(f"documents: {results['documents']}, best of {results['repeats']} runs each")
    print("| measurement | ours (s) | raw (s) | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| push vs raw import_tasks | {min(s['push']):.2f} | {min(s['raw_import_tasks']):.2f} | "
          f"{results['push_ratio']:.2f} | >= 0.8 |")
    print(f"| pull vs raw JSON export | {min(s['pull']):.2f} | {min(s['raw_export_json']):.2f} | "
          f"{results['pull_ratio']:.2f} | >= 0.8 |")
    print(f"| re-push of the unchanged corpus / first push | {min(s['repush']):.2f} | {min(s['push']):.2f} | "
          f"{results['repush_fraction']:.3f} | <= 0.10 |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    met = results["push_ratio"] >= 0.8 and results["pull_ratio"] >= 0.8 and results["repush_fraction"] <= 0.10
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
