"""Export: spaCy DocBin, Prodigy JSONL, CoNLL BIO (read back by spaCy's own converter), brat standoff, and
leakage-free seeded splits; offsets that miss token boundaries are reported, never silently widened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError, OutputError, SchemaError
from annotate.export import export, export_file, select_records
from annotate.export.brat import annotation_conf, fragments, to_standoff
from annotate.export.splits import assign_splits, group_key, parse_ratios
from annotate.records import AnnotatedDoc, Relation, make_span, read_docs, write_docs
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data" / "gold"
CORPUS = DATA / "corpus.jsonl"
SCHEMA = load_schema()
LAYER = {name: label.layer for name, label in SCHEMA.labels.items()}
runner = CliRunner()


@pytest.fixture(scope="module")
def nlp():
    from annotate.export.tokens import tokenizer

    return tokenizer()


def record(text, *spans, relations=(), doc_id="d1", **meta):
    made = []
    for span_id, label, start, end, *attrs in spans:
        made.append(make_span(text, span_id, start, end, label, attrs[0] if attrs else {}))
    return AnnotatedDoc(doc_id, text, "gold", tuple(made), tuple(Relation(*r) for r in relations), meta)


# ---------------------------------------------------------------------------------------------------------
# spaCy


def test_spacy_docbin_holds_spans_entities_ids_and_relations(tmp_path, gold_corpus):
    result = export(gold_corpus, "spacy", tmp_path, ratios="0.6,0.2,0.2", seed=3)
    assert not result.misaligned
    nlp = spacy.blank("en")
    seen = {}
    for name in ("train", "dev", "test"):
        for doc in DocBin().from_disk(tmp_path / f"{name}.spacy").get_docs(nlp.vocab):
            seen[doc.user_data["annotate"]["doc_id"]] = doc
    assert sorted(seen) == sorted(r.doc_id for r in gold_corpus)
    for gold in gold_corpus:
        doc = seen[gold.doc_id]
        attribution = sorted((s.start, s.end, s.label, s.id) for s in gold.spans if LAYER[s.label] == "span")
        assert sorted((s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["sc"]) == attribution
        entities = sorted((s.start, s.end, s.label) for s in gold.spans if LAYER[s.label] == "entity")
        assert sorted((e.start_char, e.end_char, e.label_) for e in doc.ents) == entities  # none overlap here
        assert doc.text == gold.text
        stored = doc.user_data["annotate"]
        assert [dict(r) for r in stored["relations"]] == [r.to_dict() for r in gold.relations]
        assert {k: dict(v) for k, v in stored["attrs"].items()} == {s.id: dict(s.attrs) for s in gold.spans if s.attrs}


def test_overlapping_entities_stay_in_a_span_group_and_are_reported(tmp_path):
    text = "The New York Times reported it."
    doc = record(text, ("o", "ORG", 0, 18), ("g", "GPE", 4, 12), ("s", "SOURCE", 0, 18))
    result = export([doc], "spacy", tmp_path)
    loaded = next(DocBin().from_disk(tmp_path / "all.spacy").get_docs(spacy.blank("en").vocab))
    assert [(e.text, e.label_) for e in loaded.ents] == [("The New York Times", "ORG")]
    assert sorted((s.text, s.label_) for s in loaded.spans["entity"]) == [("New York", "GPE"), ("The New York Times", "ORG")]
    assert [(s.text, s.label_) for s in loaded.spans["sc"]] == [("The New York Times", "SOURCE")]
    assert [(o.span_id, o.label) for o in result.overlaps] == [("g", "GPE")]
    assert json.loads((tmp_path / "export.json").read_text())["not_representable"][0]["span_id"] == "g"


@pytest.mark.parametrize("mode, kept, outcome", [
    ("strict", [], "left out"),
    ("contract", [(8, 17)], "contracted to 8-17"),
    ("expand", [(0, 17)], "expanded to 0-17"),
])
def test_offsets_off_token_boundaries_are_reported_never_silently_widened(tmp_path, mode, kept, outcome):
    text = "Western officials said so."
    # "rn officials": starts inside "Western".
    doc = record(text, ("s", "SOURCE", 5, 17), ("q", "CUE", 18, 22), relations=[])
    result = export([doc], "spacy", tmp_path, alignment=mode)
    loaded = next(DocBin().from_disk(tmp_path / "all.spacy").get_docs(spacy.blank("en").vocab))
    assert [(s.start_char, s.end_char) for s in loaded.spans["sc"] if s.label_ == "SOURCE"] == kept
    assert [(m.span_id, m.start, m.end, m.outcome) for m in result.misaligned] == [("s", 5, 17, outcome)]
    manifest = json.loads((tmp_path / "export.json").read_text())
    assert manifest["alignment_mode"] == mode and manifest["misaligned"][0]["outcome"] == outcome


def test_the_seed_gold_fits_the_export_tokens_including_glued_quotes(tmp_path):
    # Seed 004 has "fights”succession": pre-annotation splits curly marks glued to words, and export must too,
    # or the gold's CLAIM and CUE there would be left out of the training data.
    gold = list(read_docs(Path(__file__).parent.parent / "gold" / "seed" / "data.jsonl"))
    result = export(gold, "spacy", tmp_path)
    assert list(result.misaligned) == []
    loaded = list(DocBin().from_disk(tmp_path / "all.spacy").get_docs(spacy.blank("en").vocab))
    assert sum(len(doc.spans["sc"]) for doc in loaded) == sum(
        1 for record in gold for span in record.spans if LAYER[span.label] == "span")
    assert "succession" in [s.text for doc in loaded for s in doc.spans["sc"] if s.label_ == "CUE"]


def test_relations_to_a_left_out_span_are_dropped_with_it(tmp_path):
    text = "Western officials said so."
    doc = record(text, ("s", "SOURCE", 5, 17), ("c", "CLAIM", 23, 25), relations=[("c", "s", "attributed_to")])
    export([doc], "spacy", tmp_path)
    loaded = next(DocBin().from_disk(tmp_path / "all.spacy").get_docs(spacy.blank("en").vocab))
    assert list(loaded.user_data["annotate"]["relations"]) == []


# ---------------------------------------------------------------------------------------------------------
# Prodigy JSONL


def test_prodigy_jsonl_shape(tmp_path, gold_corpus):
    export(gold_corpus, "jsonl", tmp_path)
    tasks = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [task["meta"]["doc_id"] for task in tasks] == [r.doc_id for r in gold_corpus]
    for task, gold in zip(tasks, gold_corpus):
        assert set(task) >= {"text", "tokens", "spans", "relations", "meta"}
        assert task["text"] == gold.text
        tokens = task["tokens"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        assert all(task["text"][t["start"]:t["end"]] == t["text"] for t in tokens)
        assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == sorted((s.start, s.end, s.label) for s in gold.spans)
        for span in task["spans"]:
            # token_end is inclusive, as in Prodigy
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]
        by_id = {span["id"]: span for span in task["spans"]}
        assert len(task["relations"]) == len(gold.relations)
        for relation, original in zip(task["relations"], gold.relations):
            head, child = by_id[original.from_id], by_id[original.to_id]
            assert relation["label"] == original.label
            assert relation["head"] == head["token_end"] and relation["child"] == child["token_end"]
            assert relation["head_span"] == {k: head[k] for k in ("start", "end", "token_start", "token_end", "label")}
            assert relation["child_span"] == {k: child[k] for k in ("start", "end", "token_start", "token_end", "label")}
        assert task["meta"]["cluster"] == gold.meta["cluster"]


# ---------------------------------------------------------------------------------------------------------
# CoNLL


def _words(nlp, text, start, end):
    return [t.text for t in nlp.make_doc(text).char_span(start, end) if not t.is_space]


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_conll_per_layer_is_read_back_by_spacy_convert(tmp_path, gold_corpus, nlp):
    export(gold_corpus, "conll", tmp_path)
    for layer in ("span", "entity"):
        source = tmp_path / f"all.{layer}.conll"
        out = tmp_path / f"converted-{layer}"
        out.mkdir()
        done = subprocess.run([sys.executable, "-m", "spacy", "convert", str(source), str(out), "--converter", "ner",
                               "--file-type", "spacy"], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        docs = list(DocBin().from_disk(out / f"all.{layer}.spacy").get_docs(spacy.blank("en").vocab))
        assert len(docs) == len(gold_corpus)
        for doc, gold in zip(docs, gold_corpus):
            got = [([t.text for t in ent], ent.label_) for ent in doc.ents]
            wanted = [(_words(nlp, gold.text, s.start, s.end), s.label)
                      for s in sorted(gold.spans, key=lambda s: s.start) if LAYER[s.label] == layer]
            assert got == wanted, gold.doc_id
            assert [t.text for t in doc] == [t.text for t in nlp.make_doc(gold.text) if not t.is_space]


def test_conll_nested_spans_keep_the_longest_and_sentences_do_not_break_inside_spans(tmp_path):
    text = 'He said: "They told us the troops left. We saw it." Then he left.'
    claim = text.index('"They'), text.index('it."') + 4
    inner = text.index("the troops left")
    doc = record(text, ("c", "CLAIM", *claim), ("c2", "CLAIM", inner, inner + len("the troops left")))
    result = export([doc], "conll", tmp_path)
    lines = (tmp_path / "all.span.conll").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "-DOCSTART- -X- O O"
    body = "\n".join(lines[2:]).strip()
    sentences = [block.split("\n") for block in body.split("\n\n")]
    # The quote holds two sentences but stays in one block; "Then he left." is its own sentence.
    assert [line.split(" ")[0] for line in sentences[-1]] == ["Then", "he", "left", "."]
    tagged = [line.split(" ") for block in sentences for line in block]
    claim_tags = [tag for _, tag in tagged if tag != "O"]
    assert claim_tags[0] == "B-CLAIM" and set(claim_tags[1:]) == {"I-CLAIM"}
    assert [(o.span_id, o.outcome) for o in result.overlaps] == [("c2", "left out of BIO (overlaps a longer span of its layer)")]


# ---------------------------------------------------------------------------------------------------------
# brat (the round trip through `annotate convert --from brat` is in test_export_brat.py)


def test_brat_standoff_lines(tmp_path):
    text = 'Officials said:\n\n"We left."\nDone.'
    quote_start, break_at = text.index('"We'), text.index("Done.") - 1
    doc = record(text, ("s", "SOURCE", 0, 9, {"source_type": "anonymous_official"}), ("q", "CUE", 10, 14),
                 ("c", "CLAIM", quote_start, len(text)), relations=[("c", "s", "attributed_to"), ("q", "c", "cue_of")])
    reported = []
    ann = to_standoff(doc, reported)
    assert ann.splitlines() == [
        "T1\tSOURCE 0 9\tOfficials",
        "T2\tCUE 10 14\tsaid",
        f'T3\tCLAIM {quote_start} {break_at};{break_at + 1} {len(text)}\t"We left." Done.',
        "A1\tsource_type T1 anonymous_official",
        "R1\tattributed_to Arg1:T3 Arg2:T1",
        "R2\tcue_of Arg1:T2 Arg2:T3",
    ]
    assert [(m.span_id, m.outcome.split(":")[0]) for m in reported] == [("c", "crosses a line break")]
    result = export([doc], "brat", tmp_path)
    assert (tmp_path / "all" / "d1.txt").read_bytes() == text.encode("utf-8")
    assert (tmp_path / "all" / "d1_gold.ann").read_text(encoding="utf-8") == ann
    sidecar = json.loads((tmp_path / "all" / "d1.json").read_text(encoding="utf-8"))
    assert sidecar == {"doc_id": "d1", "annotator": "gold", "meta": {}, "span_ids": {"T1": "s", "T2": "q", "T3": "c"}}
    assert [m.span_id for m in result.overlaps] == ["c"]


def test_brat_keeps_span_ids_that_are_brat_ids():
    doc = record("Officials said so.", ("T7", "SOURCE", 0, 9), ("T2", "CUE", 10, 14), relations=[])
    assert to_standoff(doc).splitlines() == ["T7\tSOURCE 0 9\tOfficials", "T2\tCUE 10 14\tsaid"]


def test_brat_fragments_split_at_every_line_break():
    text = "a\r\nb\u2028c"
    span = make_span(text, "x", 0, len(text), "CLAIM")
    assert fragments(text, span) == [(0, 1), (3, 4), (5, 6)]


def test_brat_annotation_conf_lists_the_schema():
    conf = annotation_conf(SCHEMA)
    assert "[entities]\nCLAIM\nSOURCE\nCUE\nSUPPLEMENT\nPERSON" in conf
    assert "attributed_to\tArg1:CLAIM, Arg2:SOURCE" in conf
    assert "cue_stance\tArg:CUE, Value:neutral|distancing|hedged|factive" in conf


@pytest.mark.parametrize("changes, message", [
    ({"doc_id": "../escape"}, "doc_id '../escape' cannot be part of a file name"),
    ({"annotator": "a b"}, "annotator 'a b' cannot be part of a file name"),
])
def test_brat_refuses_names_that_are_not_file_names(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        export([record("Hi there.", ("s", "SOURCE", 0, 2)).with_(**changes)], "brat", tmp_path)


# ---------------------------------------------------------------------------------------------------------
# Splits


def test_ratios_are_checked():
    assert parse_ratios("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert parse_ratios(None) == (1.0,)
    for bad, message in [("0.8,0.3", "add up to 1.1"), ("a,b", "comma-separated"), ("0.5,0.2,0.2,0.1", "one to three"),
                         ("1.5,-0.5", "between 0 and 1")]:
        with pytest.raises(ConfigError, match=message):
            parse_ratios(bad)


def test_split_shares_and_reproducibility():
    docs = [AnnotatedDoc(f"d{i:03}", f"text {i}", "gold", meta={"cluster": f"k{i}"}) for i in range(100)]
    splits = assign_splits(docs, (0.8, 0.1, 0.1), seed=1)
    assert {name: len(items) for name, items in splits.items()} == {"train": 80, "dev": 10, "test": 10}
    assert assign_splits(docs, (0.8, 0.1, 0.1), seed=1) == splits
    assert assign_splits(list(reversed(docs)), (0.8, 0.1, 0.1), seed=1)["test"] == list(reversed(splits["test"]))
    assert assign_splits(docs, (0.8, 0.1, 0.1), seed=2) != splits


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 8), min_size=1, max_size=40), st.sampled_from([(1.0,), (0.5, 0.5), (0.8, 0.1, 0.1), (0.6, 0.4, 0.0)]),
       st.integers(0, 5))
def test_no_cluster_crosses_two_splits(clusters, ratios, seed):
    docs = [AnnotatedDoc(f"d{i}", f"text {i}", "gold", meta={"cluster": f"k{c}"} if c else {})
            for i, c in enumerate(clusters)]
    splits = assign_splits(docs, ratios, seed)
    where = defaultdict(set)
    for name, items in splits.items():
        for doc in items:
            where[group_key(doc)].add(name)
    assert all(len(names) == 1 for names in where.values())
    assert sorted(d.doc_id for items in splits.values() for d in items) == sorted(d.doc_id for d in docs)
    if ratios[-1] == 0.0:
        assert not splits["test"]


def test_export_splits_keep_the_near_duplicate_cluster_together(tmp_path, gold_corpus):
    for seed in range(6):
        result = export(gold_corpus, "jsonl", tmp_path / str(seed), ratios="0.5,0.25,0.25", seed=seed)
        homes = [name for name, split in result.splits.items() if {"n01", "n02"} & set(split["doc_ids"])]
        assert len(homes) == 1  # n01 and n02 share cluster c-kursk
        assert sum(split["documents"] for split in result.splits.values()) == len(gold_corpus)


# ---------------------------------------------------------------------------------------------------------
# Records in, files out


def test_one_version_per_document_is_required():
    a = record("Hi there.", ("s", "SOURCE", 0, 2))
    with pytest.raises(ConfigError, match="annotate gold"):
        select_records([a, a.with_(annotator="bob")])
    chosen, skipped = select_records([a, a.with_(annotator="bob"), AnnotatedDoc("x", "An article.")], annotator="bob")
    assert [d.annotator for d in chosen] == ["bob"]
    assert skipped == {"annotator is not bob": 1, "article without annotations": 1}


def test_labels_outside_the_schema_are_refused(tmp_path):
    with pytest.raises(SchemaError, match="RUMOUR"):
        export([record("Hi there.", ("s", "RUMOUR", 0, 2))], "jsonl", tmp_path)


@pytest.mark.parametrize("format", ["spacy", "jsonl", "conll", "brat"])
def test_export_is_byte_for_byte_reproducible(tmp_path, format):
    first = export_file(CORPUS, format, tmp_path / "a", ratios="0.8,0.2", seed=5)
    second = export_file(CORPUS, format, tmp_path / "b", ratios="0.8,0.2", seed=5)
    names = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert first.splits == second.splits


def test_cli_export(tmp_path):
    done = runner.invoke(app, ["export", str(CORPUS), "--format", "jsonl", "-o", str(tmp_path), "--splits", "0.8,0.2",
                               "--seed", "4", "--json"])
    assert done.exit_code == 0, done.output
    manifest = json.loads(done.stdout)
    assert manifest["seed"] == 4 and set(manifest["splits"]) == {"train", "dev"}
    assert (tmp_path / "train.jsonl").exists() and (tmp_path / "dev.jsonl").exists()
    assert "12 documents" in done.stderr


def test_cli_export_reports_misaligned_spans(tmp_path):
    source = tmp_path / "in.jsonl"
    write_docs(source, [record("Western officials said so.", ("s", "SOURCE", 5, 17))])
    done = runner.invoke(app, ["export", str(source), "--format", "spacy", "-o", str(tmp_path / "out")])
    assert done.exit_code == 0
    assert "1 spans do not fit token boundaries" in done.stderr and "left out" in done.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "jsonl", "--splits", "0.9,0.2"], "add up to 1.1"),
    (["--format", "jsonl", "--annotator", "nobody"], "nothing to export"),
])
def test_cli_export_errors(tmp_path, args, message):
    out = tmp_path / "out"
    done = runner.invoke(app, ["export", str(CORPUS), "-o", str(out), *args])
    assert done.exit_code == 1 and "Error:" in done.stderr and message in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_cli_export_alignment_is_a_choice(tmp_path):
    out = tmp_path / "out"
    done = runner.invoke(app, ["export", str(CORPUS), "-o", str(out), "--format", "jsonl", "--alignment", "loose"])
    assert done.exit_code == 2 and "--alignment" in done.stderr and "'loose' is not one of" in done.stderr
    assert not out.exists()


def test_cli_export_format_is_a_choice(tmp_path):
    out = tmp_path / "out"
    done = runner.invoke(app, ["export", str(CORPUS), "-o", str(out), "--format", "xml"])
    assert done.exit_code == 2 and "--format" in done.stderr and "'xml' is not one of" in done.stderr
    assert "'spacy', 'jsonl', 'conll', 'brat'" in done.stderr
    assert not out.exists()


def test_library_export_rejects_an_unknown_format(tmp_path):
    with pytest.raises(ConfigError, match="unknown export format 'xml'; choose one of spacy, jsonl, conll, brat"):
        export_file(CORPUS, "xml", tmp_path / "out")


# ---------------------------------------------------------------------------------------------------------
# The output folder is replaced as a set


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_reexport_with_other_splits_leaves_no_stale_split(tmp_path):
    export_file(CORPUS, "jsonl", tmp_path / "out", ratios="0.8,0.1,0.1", seed=1)
    result = export_file(CORPUS, "jsonl", tmp_path / "out", ratios="0.5,0.5", seed=1)
    assert sorted(files_of(tmp_path / "out")) == ["dev.jsonl", "export.json", "train.jsonl"]
    assert result.manifest["files"] == ["dev.jsonl", "train.jsonl"]


@pytest.mark.integration  # kills real subprocesses many times: out of the fast path
def test_kill_9_during_a_reexport_leaves_the_old_set_or_the_new_one(tmp_path):
    """A real `kill -9` of an export process at seeded random moments: the folder always holds one complete set."""
    import random
    import time

    big = tmp_path / "big.jsonl"
    docs = list(read_docs(CORPUS))
    write_docs(big, [docs[i % len(docs)].with_(doc_id=f"x{i:05d}", meta={}) for i in range(800)])
    out, reference = tmp_path / "out", tmp_path / "reference"
    export_file(big, "jsonl", out, ratios="0.8,0.1,0.1", seed=1)
    old = files_of(out)
    script = (f"from annotate.export import export_file; "
              f"export_file({str(big)!r}, 'jsonl', {{out!r}}, ratios='0.5,0.5', seed=1)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script.format(out=str(reference))], env=env, check=True)
    duration = time.monotonic() - started
    new = files_of(reference)
    assert set(new) == {"dev.jsonl", "export.json", "train.jsonl"} and new != old

    rng = random.Random(14)
    outcomes = []
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-c", script.format(out=str(out))], env=env)
        time.sleep(rng.uniform(0.3, duration))
        child.kill()  # SIGKILL: no cleanup runs
        child.wait()
        now = files_of(out)
        assert now in (old, new), sorted(now)
        outcomes.append("old" if now == old else "new")
        if now == new:  # start over from the old set, so that later kills can cut a swap again
            export_file(big, "jsonl", out, ratios="0.8,0.1,0.1", seed=1)
    subprocess.run([sys.executable, "-c", script.format(out=str(out))], env=env, check=True)
    assert files_of(out) == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "out", "reference"]  # no temp left behind
    assert "old" in outcomes  # at least one kill landed before the swap


def test_a_text_over_the_tokenizer_limit_is_a_located_error(tmp_path):
    source = tmp_path / "long.jsonl"
    short = record("Officials said so.", ("s", "SOURCE", 0, 9))
    write_docs(source, [short, record("word " * 200_001, ("s", "SOURCE", 0, 4), doc_id="d2")])
    done = runner.invoke(app, ["export", str(source), "--format", "jsonl", "-o", str(tmp_path / "out")])
    assert done.exit_code == 1
    assert done.stderr.strip() == ("Error: long.jsonl:2: field \"text\": doc_id d2 has 1,000,005 characters, more than "
                                   "the pipeline's max_length (1,000,000). Split the article, or raise the pipeline's "
                                   "max_length")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("setup", "message"), [
    (lambda out: out.write_text("notes\n"), "out: is a file, not a folder; give -o a folder path (it is created)"),
    (lambda out: (out.mkdir(), (out / "thesis.tex").write_text("mine")),
     "out: folder holds files that this command did not write; choose a new path, or pass --force to replace it"),
])
def test_export_never_replaces_what_it_did_not_write(tmp_path, setup, message):
    out = tmp_path / "out"
    setup(out)
    before = files_of(tmp_path)
    done = runner.invoke(app, ["export", str(CORPUS), "--format", "jsonl", "-o", str(out)])
    assert done.exit_code == 1
    assert " ".join(done.stderr.split()) == f"Error: {out}" + message[3:]
    assert files_of(tmp_path) == before


def test_export_into_the_folder_of_its_input_is_refused(tmp_path):
    source = tmp_path / "gold.jsonl"
    source.write_bytes(CORPUS.read_bytes())
    with pytest.raises(OutputError, match="holds the input"):
        export_file(source, "jsonl", tmp_path)
    assert source.read_bytes() == CORPUS.read_bytes()
