"""One policy for several records of the same (document, annotator): keep the newest, count the rest.

Duplicates arise when pulls are concatenated or a file is pulled again after an annotator edited their work. The
newest record is what that person last submitted, so agree, gold and stats all keep it: newest by
`meta.updated_at` (else `meta.created_at`, as Label Studio writes them: ISO timestamps compare as strings), and
among equals the one read last, so a later pull's copy wins. The older copies are not used, and the result says
how many there were so that every command can warn about them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .records import AnnotatedDoc


def recency(doc: AnnotatedDoc) -> str:
    return str(doc.meta.get("updated_at") or doc.meta.get("created_at") or "")


def newest(records: Sequence[AnnotatedDoc]) -> AnnotatedDoc:
    """The most recently updated record; among equals the last one read."""
    best = max(range(len(records)), key=lambda index: (recency(records[index]), index))
    return records[best]


@dataclass(frozen=True)
class Grouped:
    """doc_id (in order of first appearance) -> annotator (sorted) -> the record kept; and what was dropped."""

    docs: Mapping[str, Mapping[str, AnnotatedDoc]]
    older_copies: int = 0
    example: tuple[str, str] | None = None  # (doc_id, annotator) of one dropped copy, for the warning

    def warning(self) -> str | None:
        """One line for the user, or None when every (document, annotator) had a single record."""
        if not self.older_copies:
            return None
        doc_id, annotator = self.example or ("?", "?")
        return (f"{self.older_copies} older record(s) of the same document and annotator were left out, keeping "
                f"the newest of each (e.g. doc {doc_id} by {annotator!r}); pull again into a fresh file to avoid "
                "duplicates")


def by_doc_and_annotator(records: Iterable[AnnotatedDoc]) -> Grouped:
    """Group annotated records (articles, which have no annotator, are left out), keeping the newest of each
    (document, annotator)."""
    collected: dict[str, dict[str, list[AnnotatedDoc]]] = {}
    for doc in records:
        if doc.annotator is not None:
            collected.setdefault(doc.doc_id, {}).setdefault(doc.annotator, []).append(doc)
    older = 0
    example = None
    docs: dict[str, dict[str, AnnotatedDoc]] = {}
    for doc_id, by_name in collected.items():
        docs[doc_id] = {}
        for name, copies in sorted(by_name.items()):
            if len(copies) > 1:
                older += len(copies) - 1
                example = example or (doc_id, name)
            docs[doc_id][name] = newest(copies)
    return Grouped(docs, older, example)
