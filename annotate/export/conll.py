"""CoNLL-2003-style BIO, one file per schema layer: `TOKEN TAG` per line, a blank line between sentences,
`-DOCSTART- -X- O O` before each document, which `spacy convert --converter ner` reads.

BIO cannot nest, so where spans of one layer overlap, the longest are kept and the others reported. Sentences come
from spaCy's rule-based sentencizer, except that a sentence never ends inside a span. Whitespace tokens are left
out (the format has no way to write them); a token with whitespace inside has it replaced by "_".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..io import write_new_file
from ..records import AnnotatedDoc
from .tokens import AlignmentMode, Misaligned, SplitContext, align, non_overlapping

DOC_DELIMITER = "-DOCSTART- -X- O O"
_WHITESPACE = re.compile(r"\s")


def bio_tags(n_tokens: int, spans) -> list[str]:
    tags = ["O"] * n_tokens
    for item in spans:
        tags[item.token_start] = f"B-{item.span.label}"
        for index in range(item.token_start + 1, item.token_end):
            tags[index] = f"I-{item.span.label}"
    return tags


def layer_block(doc, record: AnnotatedDoc, layer_labels: set[str], mode: AlignmentMode,
                misaligned: list[Misaligned], overlaps: list[Misaligned]) -> str:
    aligned = align(doc, record, [span for span in record.spans if span.label in layer_labels], mode, misaligned)
    kept, dropped = non_overlapping(aligned)
    for item in dropped:
        overlaps.append(Misaligned(record.doc_id, item.span.id, item.span.label, item.span.start, item.span.end,
                                   item.span.text, "left out of BIO (overlaps a longer span of its layer)"))
    tags = bio_tags(len(doc), kept)
    inside = [False] * (len(doc) + 1)  # inside[i]: token i continues a span begun before it
    for item in aligned:
        for index in range(item.token_start + 1, item.token_end):
            inside[index] = True
    lines = [DOC_DELIMITER, ""]
    for token in doc:
        if token.is_sent_start and token.i > 0 and not inside[token.i] and lines[-1] != "":
            lines.append("")
        if token.is_space:
            continue
        lines.append(f"{_WHITESPACE.sub('_', token.text)} {tags[token.i]}")
    return "\n".join(lines).rstrip("\n") + "\n\n"


def write_split(directory: Path, split: str, records: Sequence[AnnotatedDoc], context: SplitContext) -> list[Path]:
    from spacy.pipeline import Sentencizer

    sentencizer = Sentencizer()
    docs = [sentencizer(context.nlp.make_doc(record.text)) for record in records]
    written = []
    for layer in context.schema.layers:
        labels = {label.name for label in layer.labels}
        blocks = [layer_block(doc, record, labels, context.mode, context.misaligned, context.overlaps)
                  for doc, record in zip(docs, records)]
        written.append(write_new_file(directory / f"{split}.{layer.name}.conll", "".join(blocks)))
    return written
