"""brat standoff (.txt + .ann) -> AnnotatedDoc records, one per (document, annotator).

Files: `<doc>.txt` with one `.ann` per annotator, named `<doc>_<annotator>.ann`; a plain `<doc>.ann` needs
`--annotator`. An `.ann` that exists but holds nothing is a real, empty annotation ("saw it, marked nothing").

How brat maps onto our records (nothing is dropped):
- `T` text-bound annotations become spans with the brat id (`T3`) and type as label.
- A discontinuous span (`T3 Label 0 5;9 14`) becomes one span per fragment: the first keeps the id `T3`, the
  others get `T3.2`, `T3.3`, …, each linked to the first by a `fragment_of` relation. Fragments lose no offsets (an
  outer hull would swallow the gap), and relations and attributes that name `T3` attach to the first fragment.
- `R` relations (`R1 Type Arg1:T1 Arg2:T2`) become relations T1 -> T2 with the relation type as label.
- `E` events (`E1 Type:T5 Role:T2 …`) become their trigger span (the `T` the event names) with one relation per
  argument, trigger -> argument, labelled with the role (`Role`, `Theme2`, …). So an attribution event
  `Attribution:T5 Source:T2 Content:T7` gives a CUE-like trigger linked to its source and content; map names with
  --label-map. When two events share a trigger, the second gets its own copy of the span, with the event id.
- `A`/`M` attributes become span attrs: `A1 Negated E1` -> attrs["Negated"] = "true", `A2 Conf T1 High` -> "High".
- `N` normalisations become attrs["norm"] ("Wikipedia:534366"; several joined with "; ") and `#` notes attrs["note"].
- `*` equivalences (`* Equiv T1 T2 T3`) become a chain of relations T1 -> T2 -> T3 labelled with the type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import RecordError
from ..records import AnnotatedDoc, Relation, Span, make_doc_id

FRAGMENT_RELATION = "fragment_of"
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


@dataclass(frozen=True)
class BratFile:
    """One annotation file and the text it annotates."""

    text_path: Path
    ann_path: Path
    annotator: str


def find_files(path: Path, annotator: str | None = None) -> list[BratFile]:
    """Every .ann under `path` (a directory, an .ann file, or a .txt file) paired with its text, sorted."""
    if not path.exists():
        raise RecordError(str(path), None, None, "does not exist", "Give a brat directory, or one .txt or .ann file")
    if path.is_dir():
        anns = sorted(path.rglob("*.ann"))
    elif path.suffix == ".txt":
        anns = sorted(p for p in path.parent.glob(f"{glob_escape(path.stem)}*.ann")
                      if p.stem == path.stem or p.stem.startswith(path.stem + "_"))
    elif path.suffix == ".ann":
        anns = [path]
    else:
        raise RecordError(str(path), None, None, "is not a brat directory, .txt or .ann file",
                          "Give the folder that holds the .txt and .ann files")
    found = []
    for ann in anns:
        text_path, name = _text_for(ann, annotator)
        found.append(BratFile(text_path, ann, name))
    if not found:
        raise RecordError(str(path), None, None, "holds no .ann files", "brat annotations live in <doc>_<annotator>.ann files")
    return sorted(found, key=lambda f: (str(f.text_path), f.annotator))


def glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


def _text_for(ann: Path, annotator: str | None) -> tuple[Path, str]:
    stem = ann.stem
    same = ann.with_suffix(".txt")
    if same.exists():
        if not annotator:
            raise RecordError(str(ann), None, None, "does not say who annotated it",
                              f"Name it {stem}_<annotator>.ann, or pass --annotator NAME")
        return same, annotator
    # <doc>_<annotator>.ann: the longest <doc> that has a .txt wins, so doc names may contain underscores.
    cuts = [i for i, char in enumerate(stem) if char == "_"]
    for cut in reversed(cuts):
        candidate = ann.with_name(stem[:cut] + ".txt")
        if candidate.exists() and stem[cut + 1:]:
            return candidate, stem[cut + 1:]
    raise RecordError(str(ann), None, None, "has no text file",
                      f"Put {stem}.txt beside it, or name it <doc>_<annotator>.ann next to <doc>.txt")


def read_brat(path: str | Path, annotator: str | None = None, root: Path | None = None) -> Iterator[AnnotatedDoc]:
    """Records for every annotation file under `path`, in sorted order (text file, then annotator)."""
    path = Path(path)
    base = root or (path if path.is_dir() else path.parent)
    for brat in find_files(path, annotator):
        text = _read_text(brat.text_path)
        ann = _read_text(brat.ann_path, allow_empty=True)
        spans, relations = parse_ann(ann, text, str(brat.ann_path))
        meta = {"source_file": brat.text_path.relative_to(base).as_posix(),
                "brat_ann": brat.ann_path.relative_to(base).as_posix()}
        yield AnnotatedDoc(make_doc_id(text), text, brat.annotator, tuple(spans), tuple(relations), meta)


def _read_text(path: Path, allow_empty: bool = False) -> str:
    try:
        # newline="" keeps \r\n: brat counts offsets on the file's characters as they are.
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise RecordError(str(path), None, None, f"is not valid UTF-8 (byte {error.start})", "Re-encode it as UTF-8") from error
    except OSError as error:
        raise RecordError(str(path), None, None, f"cannot be read ({error.strerror})") from error
    if not allow_empty and not text.strip():
        raise RecordError(str(path), None, None, "is empty", "A brat document needs its text")
    return text


def _squash(value: str) -> str:
    return " ".join(value.split())


def parse_ann(ann: str, text: str, where: str = "<ann>") -> tuple[list[Span], list[Relation]]:
    """Spans and relations from the content of one .ann file over `text` (pure: strings in, records out)."""
    spans: dict[str, Span] = {}
    fragments: dict[str, list[str]] = {}
    attrs: dict[str, dict[str, str]] = {}
    notes: dict[str, list[tuple[int, str]]] = {}
    pending: list[tuple[int, str, str, str]] = []  # (line, from ref, to ref, label), resolved at the end
    targets: list[tuple[int, str]] = []  # (line, ref) of attributes and notes: the ref must exist
    events: dict[str, tuple[int, str, list[tuple[str, str]]]] = {}
    order: list[str] = []

    for number, line in enumerate(ann.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0].strip()
        kind = ident[:1]
        if kind == "T":
            if len(fields) < 3:
                raise RecordError(where, number, ident, "a T line needs: id <TAB> Type start end[;start end...] <TAB> text")
            head = fields[1].split(" ", 1)
            if len(head) != 2 or not _OFFSETS.match(head[1]):
                raise RecordError(where, number, ident, f"cannot read type and offsets from {fields[1]!r}",
                                  "Expected e.g. 'SOURCE 12 30' or 'CLAIM 0 5;9 14'")
            label = head[0]
            pieces = [tuple(int(x) for x in part.split(" ")) for part in head[1].split(";")]
            for start, end in pieces:
                if not 0 <= start < end <= len(text):
                    raise RecordError(where, number, ident, f"offsets {start} {end} are outside the text "
                                      f"({len(text)} characters) or empty", "Is this .ann for another version of the text?")
            brat_text = "\t".join(fields[2:])
            found = " ".join(text[start:end] for start, end in pieces)
            if _squash(found) != _squash(brat_text):
                raise RecordError(where, number, ident, f"text {brat_text!r} does not match the document at "
                                  f"{head[1]} ({found!r})", "Is this .ann for another version of the text?")
            ids = [ident] + [f"{ident}.{k}" for k in range(2, len(pieces) + 1)]
            for span_id, (start, end) in zip(ids, pieces):
                spans[span_id] = Span(span_id, start, end, label, text[start:end])
                order.append(span_id)
            fragments[ident] = ids
        elif kind == "E":
            if len(fields) < 2 or not fields[1].strip():
                raise RecordError(where, number, ident, "an E line needs: id <TAB> Type:Trigger Role:Arg ...")
            parts = [part.split(":", 1) for part in fields[1].split()]
            if any(len(part) != 2 for part in parts):
                raise RecordError(where, number, ident, f"cannot read {fields[1]!r}", "Expected Type:T1 Role:T2 ...")
            (_, trigger), arguments = parts[0], parts[1:]
            events[ident] = (number, trigger, [(role, argument) for role, argument in arguments])
        elif kind == "R":
            parts = fields[1].split() if len(fields) > 1 else []
            arguments = [part.split(":", 1) for part in parts[1:]]
            if len(parts) != 3 or any(len(arg) != 2 for arg in arguments):
                raise RecordError(where, number, ident, f"cannot read {fields[1] if len(fields) > 1 else ''!r}",
                                  "Expected Type Arg1:T1 Arg2:T2")
            pending.append((number, arguments[0][1], arguments[1][1], parts[0]))
        elif kind in "AM":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) not in (2, 3):
                raise RecordError(where, number, ident, "an attribute line needs: id <TAB> Name Target [Value]")
            attrs.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) == 3 else "true"
            targets.append((number, parts[1]))
        elif kind == "N":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) != 3:
                raise RecordError(where, number, ident, "a normalisation line needs: id <TAB> Reference Target DB:ID <TAB> text")
            attrs.setdefault(parts[1], {}).setdefault("\x00norm", "")
            attrs[parts[1]]["\x00norm"] += ("; " if attrs[parts[1]]["\x00norm"] else "") + parts[2]
            targets.append((number, parts[1]))
        elif kind == "#":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) != 2:
                raise RecordError(where, number, ident, "a note line needs: id <TAB> AnnotatorNotes Target <TAB> note")
            notes.setdefault(parts[1], []).append((number, "\t".join(fields[2:])))
            targets.append((number, parts[1]))
        elif kind == "*":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) < 3:
                raise RecordError(where, number, "*", "an equivalence line needs: * <TAB> Type T1 T2 ...")
            for left, right in zip(parts[1:], parts[2:]):
                pending.append((number, left, right, parts[0]))
        else:
            raise RecordError(where, number, ident or None, f"unknown brat annotation {ident!r}",
                              "Lines start with T, R, E, A, M, N, # or *")

    # Events: the first event on a trigger takes the trigger span; a later one gets a copy under the event id.
    target: dict[str, str] = {ident: ids[0] for ident, ids in fragments.items()}
    used_triggers: set[str] = set()
    for ident, (number, trigger, _) in events.items():
        if trigger not in fragments:
            raise RecordError(where, number, ident, f"trigger {trigger!r} is not a T annotation in this file")
        if trigger in used_triggers:
            original = spans[fragments[trigger][0]]
            spans[ident] = Span(ident, original.start, original.end, original.label, original.text)
            order.append(ident)
            target[ident] = ident
        else:
            target[ident] = fragments[trigger][0]
            used_triggers.add(trigger)

    def resolve(reference: str, number: int) -> str:
        if reference not in target:
            raise RecordError(where, number, reference, "refers to an annotation this file does not define")
        return target[reference]

    relations: list[Relation] = []
    for ident, ids in fragments.items():
        relations.extend(Relation(fragment, ids[0], FRAGMENT_RELATION) for fragment in ids[1:])
    for number, reference in targets:
        resolve(reference, number)
    for number, left, right, label in pending:
        relations.append(Relation(resolve(left, number), resolve(right, number), label))
    for ident, (number, _, arguments) in events.items():
        for role, argument in arguments:
            relations.append(Relation(target[ident], resolve(argument, number), role))

    for reference, values in attrs.items():
        span_id = target[reference]
        merged = dict(spans[span_id].attrs)
        for name, value in values.items():
            merged["norm" if name == "\x00norm" else name] = value
        spans[span_id] = Span(span_id, spans[span_id].start, spans[span_id].end, spans[span_id].label,
                              spans[span_id].text, merged)
    for reference, found in notes.items():
        span_id = target[reference]
        if found:
            merged = {**spans[span_id].attrs, "note": "; ".join(note for _, note in found)}
            spans[span_id] = Span(span_id, spans[span_id].start, spans[span_id].end, spans[span_id].label,
                                  spans[span_id].text, merged)
    position = {span_id: index for index, span_id in enumerate(order)}
    ordered = sorted((spans[span_id] for span_id in order), key=lambda s: (s.start, s.end, position[s.id]))
    relations.sort(key=lambda r: (_id_key(r.from_id), _id_key(r.to_id), r.label))
    return ordered, relations


def _id_key(span_id: str) -> tuple:
    """T2 before T10; fragments T3.2 right after T3."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", span_id) if part)
