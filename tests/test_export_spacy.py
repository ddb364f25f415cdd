"""spaCy's own tools consume the export: `spacy debug data` passes on a generated config, and `spacy train`
trains a tiny NER + spancat pipeline for a few steps on CPU.

`debug data` fails a new pipeline with fewer than 100 training documents, so the corpus here is built from
attribution sentences in the style of the seed articles: every source x cue x claim combination, 216 documents.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.records import AnnotatedDoc, Relation, make_span

SOURCES = [  # (text, source_type, entities inside it as (words, label))
    ("Western officials", "anonymous_official", [("Western", "NORP")]),
    ("The Pentagon", "named_organization", [("Pentagon", "ORG")]),
    ("Volodymyr Zelensky", "named_person", [("Volodymyr Zelensky", "PERSON")]),
    ("A spokesman for the Ukrainian army", "anonymous_official", [("Ukrainian", "NORP")]),
    ("The New York Times", "media_outlet", [("The New York Times", "ORG")]),
    ("Kim Jong Un", "named_person", [("Kim Jong Un", "PERSON")]),
]
CUES = [("said", "neutral"), ("claimed", "distancing"), ("warned", "neutral"), ("confirmed", "factive"),
        ("suggested", "hedged"), ("denied", "distancing")]
CLAIMS = [
    ("1,000 soldiers had been killed in three months", "statistical", [("1,000", "CARDINAL"), ("three months", "DATE")]),
    ("the troops had pulled out of Kursk", "event", [("Kursk", "GPE")]),
    ("Russia would send more troops in March", "prediction", [("Russia", "GPE"), ("March", "DATE")]),
    ("the losses were caused by drone attacks", "causal", []),
    ("North Korea plans to deploy more units", "intention", [("North Korea", "GPE")]),
    ("the offensive was a mistake", "opinion", []),
]


def corpus() -> list[AnnotatedDoc]:
    docs = []
    for number, ((source, source_type, source_ents), (cue, stance), (claim, claim_type, claim_ents)) in enumerate(
            itertools.product(SOURCES, CUES, CLAIMS)):
        text = f"{source} {cue} that {claim}. The report could not be verified."
        cue_start = len(source) + 1
        claim_start = cue_start + len(cue) + len(" that ")
        spans = [make_span(text, "s", 0, len(source), "SOURCE", {"source_type": source_type}),
                 make_span(text, "q", cue_start, cue_start + len(cue), "CUE", {"cue_stance": stance}),
                 make_span(text, "c", claim_start, claim_start + len(claim), "CLAIM", {"claim_type": claim_type})]
        for index, (words, label) in enumerate(source_ents):
            start = source.index(words)
            spans.append(make_span(text, f"e{index}", start, start + len(words), label))
        for index, (words, label) in enumerate(claim_ents):
            start = claim_start + claim.index(words)
            spans.append(make_span(text, f"f{index}", start, start + len(words), label))
        docs.append(AnnotatedDoc(f"t{number:03}", text, "gold", tuple(spans),
                                 (Relation("c", "s", "attributed_to"), Relation("q", "c", "cue_of")),
                                 {"cluster": f"k{number // 2}"}))  # pairs of near-duplicates
    return docs


def spacy_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "spacy", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from annotate.export import export

    root = tmp_path_factory.mktemp("spacy-export")
    result = export(corpus(), "spacy", root / "corpus", ratios="0.8,0.2", seed=0)
    assert not result.misaligned and not result.overlaps
    done = spacy_cli("init", "config", str(root / "config.cfg"), "--lang", "en", "--pipeline", "ner,spancat",
                     "--optimize", "efficiency", cwd=root)
    assert done.returncode == 0, done.stderr
    return root, result


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_spacy_debug_data_accepts_the_export(exported):
    root, result = exported
    assert result.splits["train"]["documents"] >= 100
    done = spacy_cli("debug", "data", "config.cfg", "--paths.train", "corpus/train.spacy",
                     "--paths.dev", "corpus/dev.spacy", cwd=root)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "Corpus is loadable" in report and "No overlap between training and evaluation data" in report
    # spancat reads the attribution layer under spans key "sc" ...
    assert "sc          {" in report and all(f"'{label}'" in report for label in ("CLAIM", "SOURCE", "CUE"))
    assert "Spans are distinct from the rest of the corpus" in report
    # ... and NER reads doc.ents: NORP, ORG, PERSON, CARDINAL, DATE, GPE.
    assert "6 label(s)" in report and "No entities consisting of or starting/ending with whitespace" in report


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_spacy_trains_a_tiny_pipeline_on_the_export(exported):
    root, _ = exported
    done = spacy_cli("train", "config.cfg", "--output", "model", "--paths.train", "corpus/train.spacy",
                     "--paths.dev", "corpus/dev.spacy", "--training.max_steps", "5", "--training.eval_frequency", "5",
                     "--nlp.batch_size", "64", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    model = root / "model" / "model-last"
    assert (model / "meta.json").exists()
    meta = json.loads((model / "meta.json").read_text())
    assert meta["pipeline"] == ["tok2vec", "ner", "spancat"]
    assert {"CLAIM", "SOURCE", "CUE"} <= set(meta["labels"]["spancat"])
