"""Phrase annotations (annotations.toml) -> AnnotatedDoc records: gold written by hand as exact phrases.

The format is gold/seed/annotations.toml's (see its header): one [[article]] per article, keyed by the raw file
it was ingested from (meta.source_file), with one [[article.attribution]] block per attribution naming its
source, cue, supplement and claim as exact substrings of the article (a `context` substring narrows the search,
`{text = "...", nth = N}` picks one of several occurrences), and its per-region attributes. `compile_phrases`
finds every phrase on word boundaries, turns it into offsets with records.make_span, derives span ids (c CLAIM,
s SOURCE, q CUE, p SUPPLEMENT, in reading order) and the links, and validates the records against the schema. A
phrase that is missing or ambiguous is an error naming the article and the phrase, so offsets never drift
silently from the text.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AnnotateError
from ..records import GOLD_ANNOTATOR, AnnotatedDoc, Relation, make_span, read_docs
from ..schema import Schema, load_schema, validate_docs

# Which keys of an attribution block become which span, and which attributes each span takes.
ROLES = {"source": "SOURCE", "cue": "CUE", "supplement": "SUPPLEMENT", "claim": "CLAIM"}
ID_PREFIX = {"CLAIM": "c", "SOURCE": "s", "CUE": "q", "SUPPLEMENT": "p"}
LABEL_ORDER = {"CLAIM": 0, "SOURCE": 1, "CUE": 2, "SUPPLEMENT": 3}
RELATION_ORDER = {"attributed_to": 0, "cue_of": 1, "supplement_of": 2}
BLOCK_KEYS = {"context", "note", *ROLES}
ARTICLE_KEYS = {"source_file", "title", "attribution"}


class PhraseError(AnnotateError):
    """Hand-written phrase annotations that do not fit their articles or the schema."""


@dataclass(frozen=True)
class Located:
    start: int
    end: int


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def find_all(text: str, phrase: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """Start offsets of `phrase` in text[lo:hi] that sit on word boundaries ("he" is not found inside "the")."""
    hi = len(text) if hi is None else hi
    starts = []
    position = text.find(phrase, lo, hi)
    while position != -1:
        end = position + len(phrase)
        left_ok = not (_is_word_char(phrase[0]) and position > 0 and _is_word_char(text[position - 1]))
        right_ok = not (_is_word_char(phrase[-1]) and end < len(text) and _is_word_char(text[end]))
        if left_ok and right_ok:
            starts.append(position)
        position = text.find(phrase, position + 1, hi)
    return starts


def _phrase(spec: Any, where: str) -> tuple[str, int | None]:
    """A phrase is a string, or {text = "...", nth = N} to pick the Nth (1-based) of several occurrences."""
    if isinstance(spec, str) and spec:
        return spec, None
    if isinstance(spec, Mapping) and isinstance(spec.get("text"), str) and spec["text"] \
            and isinstance(spec.get("nth"), int) and not isinstance(spec.get("nth"), bool) and spec["nth"] >= 1 \
            and set(spec) == {"text", "nth"}:
        return spec["text"], spec["nth"]
    raise PhraseError(f"{where}: a phrase must be a non-empty string or {{text = \"...\", nth = N}}, got {spec!r}")


def locate(text: str, spec: Any, where: str, lo: int = 0, hi: int | None = None) -> Located:
    """The one place of a phrase inside text[lo:hi]; ambiguity without `nth`, or absence, is an error."""
    phrase, nth = _phrase(spec, where)
    starts = find_all(text, phrase, lo, hi)
    if not starts:
        raise PhraseError(f"{where}: phrase {phrase!r} is not in the text"
                             f"{' of its context' if lo or hi is not None else ''}; copy it exactly from articles.jsonl")
    if nth is None and len(starts) > 1:
        raise PhraseError(f"{where}: phrase {phrase!r} occurs {len(starts)} times; widen the context or add nth")
    if nth is not None and nth > len(starts):
        raise PhraseError(f"{where}: phrase {phrase!r} occurs {len(starts)} times, so nth = {nth} does not exist")
    start = starts[(nth or 1) - 1]
    return Located(start, start + len(phrase))


def _attrs(block: Mapping[str, Any], label: str, schema: Schema, where: str) -> dict[str, str]:
    attrs = {}
    for name, definition in schema.attributes_for(label).items():
        value = block.get(name)
        if value is None:
            raise PhraseError(f"{where}: {label} needs attribute {name} (one of {list(definition.values)})")
        if value not in definition.values:
            raise PhraseError(f"{where}: {name} = {value!r} is not one of {list(definition.values)}")
        attrs[name] = value
    return attrs


def compile_article(article: AnnotatedDoc, entry: Mapping[str, Any], schema: Schema,
                    source_name: str = "annotations.toml") -> AnnotatedDoc:
    """One article's attribution blocks -> a gold AnnotatedDoc with derived ids and links."""
    name = entry["source_file"]
    text = article.text
    attribute_keys = {attribute.name for attribute in schema.attributes}
    spans: dict[tuple[str, int, int], dict[str, str]] = {}   # (label, start, end) -> attrs
    links: set[tuple[str, tuple[str, int, int], tuple[str, int, int]]] = set()

    for number, block in enumerate(entry.get("attribution", []), start=1):
        where = f"{source_name}: article {name}, attribution {number}"
        unknown = set(block) - BLOCK_KEYS - attribute_keys
        if unknown:
            raise PhraseError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(BLOCK_KEYS | attribute_keys)}")
        if "context" in block:
            context = locate(text, block["context"], f"{where}, context")
            lo, hi = context.start, context.end
        else:
            lo, hi = 0, len(text)
        found: dict[str, tuple[str, int, int]] = {}
        for role, label in ROLES.items():
            if role not in block:
                continue
            place = locate(text, block[role], f"{where}, {role}", lo, hi)
            key = (label, place.start, place.end)
            attrs = _attrs(block, label, schema, f"{where}, {role} {text[place.start:place.end]!r}")
            if key in spans and spans[key] != attrs:
                raise PhraseError(f"{where}: {label} {text[place.start:place.end]!r} is annotated again with "
                                     f"different attributes ({spans[key]} vs {attrs}); make them agree")
            spans[key] = attrs
            found[role] = key
        if "cue" not in found:
            raise PhraseError(f"{where}: every attribution needs a cue (docs/guidelines.md, CUE)")
        if "claim" in found:
            if "source" in found:
                links.add(("attributed_to", found["claim"], found["source"]))
            links.add(("cue_of", found["cue"], found["claim"]))
            if "supplement" in found:
                links.add(("supplement_of", found["supplement"], found["claim"]))
        elif "supplement" in found:
            raise PhraseError(f"{where}: a SUPPLEMENT needs a CLAIM to attach to (supplement_of SUPPLEMENT -> CLAIM)")
        elif "source" not in found:
            raise PhraseError(f"{where}: a cue with neither claim nor source annotates nothing")

    # Ids follow reading order within each label, so they are stable and readable (c1 is the first claim).
    ids: dict[tuple[str, int, int], str] = {}
    ordered = sorted(spans, key=lambda key: (key[1], key[2], LABEL_ORDER[key[0]]))
    counters: Counter[str] = Counter()
    for key in sorted(spans, key=lambda key: (LABEL_ORDER[key[0]], key[1], key[2])):
        counters[key[0]] += 1
        ids[key] = f"{ID_PREFIX[key[0]]}{counters[key[0]]}"
    span_records = tuple(make_span(text, ids[key], key[1], key[2], key[0], spans[key]) for key in ordered)
    relation_records = tuple(
        Relation(ids[a], ids[b], label)
        for label, a, b in sorted(links, key=lambda link: (RELATION_ORDER[link[0]], link[1][1:], link[2][1:])))
    meta = {**dict(article.meta), "schema_version": schema.version, "schema_hash": schema.hash,
            "guidelines": "docs/guidelines.md"}
    return AnnotatedDoc(doc_id=article.doc_id, text=text, annotator=GOLD_ANNOTATOR, spans=span_records,
                        relations=relation_records, meta=meta)


def article_key(article: AnnotatedDoc) -> str | None:
    """The raw file an ingested article came from (ingest records it in meta.source_file)."""
    source = article.meta.get("source_file")
    return Path(source).name if isinstance(source, str) and source else None


def load_annotations(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PhraseError(f"{path}: cannot be read ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise PhraseError(f"{path}: not valid TOML ({error})") from error
    entries = data.get("article", [])
    for index, entry in enumerate(entries, start=1):
        unknown = set(entry) - ARTICLE_KEYS
        if unknown or not isinstance(entry.get("source_file"), str):
            raise PhraseError(f"{path}: article {index} needs source_file and may only have {sorted(ARTICLE_KEYS)}"
                                 f"{f' (unknown: {sorted(unknown)})' if unknown else ''}")
    return entries


def compile_phrases(articles_path: Path, annotations_path: Path, schema: Schema | None = None) -> list[AnnotatedDoc]:
    """Gold records for every article, in the articles' order; every article must be annotated exactly once."""
    schema = schema or load_schema()
    articles = list(read_docs(articles_path))
    entries = {}
    for entry in load_annotations(annotations_path):
        if entry["source_file"] in entries:
            raise PhraseError(f"{annotations_path}: article {entry['source_file']} appears twice")
        entries[entry["source_file"]] = entry
    docs = []
    for article in articles:
        key = article_key(article)
        if key not in entries:
            raise PhraseError(f"{articles_path}: article {key or article.doc_id} has no [[article]] entry in "
                                 f"{annotations_path.name}; every article must be annotated")
        docs.append(compile_article(article, entries.pop(key), schema, annotations_path.name))
    if entries:
        raise PhraseError(f"{annotations_path}: entries {sorted(entries)} match no article in {articles_path}")
    validate_docs(docs, schema, where=annotations_path.name)
    return docs
