"""Compile the hand-written probe sentences (dev.txt, test.txt) into gold AnnotatedDoc records.

    .venv/bin/python gold/probes/build.py            # write dev.jsonl and test.jsonl
    .venv/bin/python gold/probes/build.py --check    # exit 1 if either is stale

Source format (one file per split):
    ## doc-id                      starts a document; the lines up to the next ## are its paragraphs
    A paragraph of news text.      one paragraph per line; paragraphs are joined with a line break
      > S=source | C=cue | K=claim | P=supplement
                                   one attribution over the paragraph above; each value is an exact
                                   substring of that paragraph on word boundaries, `{N}` after it picks the
                                   Nth occurrence. C is required; K and P optional (a SOURCE+CUE with no K is
                                   a refusal or a contentless report). Repeating a phrase at the same place
                                   shares the span (two claims of one cue). `^N` at the very end locates the
                                   phrase in the Nth paragraph above instead (a quote continued over paragraphs:
                                   `S=she^1 | C=said^1 | K="..."` under the continuing paragraph).
    # comment                      ignored
Phrases are located with annotate.importers.phrases' word-boundary search, so a typo stops the build with the doc,
line and phrase named.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

from annotate.errors import AnnotateError  # noqa: E402
from annotate.importers.phrases import locate  # noqa: E402
from annotate.records import GOLD_ANNOTATOR, AnnotatedDoc, Relation, make_span, write_docs  # noqa: E402
from annotate.schema import load_schema, validate_docs  # noqa: E402

SPLITS = ("dev", "test")
ROLES = {"S": "SOURCE", "C": "CUE", "K": "CLAIM", "P": "SUPPLEMENT"}
ID_PREFIX = {"CLAIM": "c", "SOURCE": "s", "CUE": "q", "SUPPLEMENT": "p"}
_NTH = re.compile(r"^(.*)\{(\d+)\}$")
_PARAGRAPHS_UP = re.compile(r"^(.*)\^(\d+)$")


class ProbeBuildError(AnnotateError):
    """A probe annotation does not fit its paragraph."""


def _spec_of(value: str) -> object:
    match = _NTH.match(value)
    return {"text": match.group(1), "nth": int(match.group(2))} if match else value


def parse(path: Path) -> list[tuple[str, list[str], list[tuple[int, int, dict[str, str]]]]]:
    """(doc id, paragraphs, [(paragraph index, line number, {role: phrase})]) per document."""
    docs: list[tuple[str, list[str], list[tuple[int, int, dict[str, str]]]]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or (line.startswith("#") and not line.startswith("##")):
            continue
        if line.startswith("##"):
            docs.append((line[2:].strip(), [], []))
            continue
        if not docs:
            raise ProbeBuildError(f"{path.name}:{number}: text before the first '## doc-id' line")
        doc_id, paragraphs, blocks = docs[-1]
        if line.lstrip().startswith(">"):
            if not paragraphs:
                raise ProbeBuildError(f"{path.name}:{number}: an attribution line needs a paragraph above it")
            roles: dict[str, str] = {}
            for part in line.lstrip()[1:].split(" | "):
                key, sep, value = part.strip().partition("=")
                if not sep or key not in ROLES or not value:
                    raise ProbeBuildError(f"{path.name}:{number}: {part.strip()!r} is not ROLE=phrase with ROLE "
                                          f"one of {', '.join(ROLES)}")
                roles[key] = value
            if "C" not in roles:
                raise ProbeBuildError(f"{path.name}:{number}: every attribution needs a cue (C=...)")
            blocks.append((len(paragraphs) - 1, number, roles))
        else:
            paragraphs.append(line.strip())
    return docs


def compile_doc(doc_id: str, paragraphs: list[str], blocks, source_name: str) -> AnnotatedDoc:
    text = "\n".join(paragraphs)
    starts = [sum(len(p) + 1 for p in paragraphs[:i]) for i in range(len(paragraphs))]
    spans: set[tuple[str, int, int]] = set()
    links: set[tuple[str, tuple[str, int, int], tuple[str, int, int]]] = set()
    for paragraph, number, roles in blocks:
        found = {}
        for role, value in roles.items():
            where = paragraph
            if up := _PARAGRAPHS_UP.match(value):
                value, where = up.group(1), paragraph - int(up.group(2))
                if where < 0 or where == paragraph:
                    raise ProbeBuildError(f"{source_name}:{number} ({doc_id}), {role}: '^{up.group(2)}' must name "
                                          f"one of the {paragraph} paragraph(s) above")
            lo = starts[where]
            hi = lo + len(paragraphs[where])
            place = locate(text, _spec_of(value), f"{source_name}:{number} ({doc_id}), {role}", lo, hi)
            found[role] = (ROLES[role], place.start, place.end)
            spans.add(found[role])
        if "K" in found:
            if "S" in found:
                links.add(("attributed_to", found["K"], found["S"]))
            links.add(("cue_of", found["C"], found["K"]))
            if "P" in found:
                links.add(("supplement_of", found["P"], found["K"]))
        elif "P" in found or "S" not in found:
            raise ProbeBuildError(f"{source_name}:{number} ({doc_id}): without a claim (K) an attribution is a "
                                  "SOURCE and a CUE only")
    ids: dict[tuple[str, int, int], str] = {}
    counters: Counter[str] = Counter()
    for key in sorted(spans, key=lambda key: (key[0], key[1], key[2])):
        counters[key[0]] += 1
        ids[key] = f"{ID_PREFIX[key[0]]}{counters[key[0]]}"
    span_records = tuple(make_span(text, ids[key], key[1], key[2], key[0])
                         for key in sorted(spans, key=lambda key: (key[1], key[2], key[0])))
    relations = tuple(Relation(ids[a], ids[b], label) for label, a, b in sorted(links))
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=GOLD_ANNOTATOR, spans=span_records, relations=relations,
                        meta={"source_file": source_name, "guidelines": "docs/guidelines.md",
                              "probe_conventions": "gold/probes/README.md"})


def build(split: str) -> list[AnnotatedDoc]:
    path = HERE / f"{split}.txt"
    docs = [compile_doc(doc_id, paragraphs, blocks, path.name) for doc_id, paragraphs, blocks in parse(path)]
    ids = Counter(doc.doc_id for doc in docs)
    if duplicated := [doc_id for doc_id, count in ids.items() if count > 1]:
        raise ProbeBuildError(f"{path.name}: doc ids used twice: {duplicated}")
    validate_docs(docs, load_schema(), where=path.name)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a .jsonl is stale")
    args = parser.parse_args(argv)
    stale = []
    for split in SPLITS:
        docs = build(split)
        target = HERE / f"{split}.jsonl"
        if args.check:
            scratch = HERE / f".{split}.check.jsonl"
            write_docs(scratch, docs)
            if not target.exists() or scratch.read_bytes() != target.read_bytes():
                stale.append(target.name)
            scratch.unlink()
        else:
            write_docs(target, docs)
            print(f"{target.relative_to(REPO)}: {len(docs)} docs, "
                  f"{sum(len(d.spans) for d in docs)} spans, {sum(len(d.relations) for d in docs)} relations")
    if stale:
        print(f"stale: {', '.join(stale)}; run gold/probes/build.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
