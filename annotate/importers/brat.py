"""brat standoff (.txt + .ann) -> AnnotatedDoc records, one per (document, annotator).

Layouts (PATH is a folder, searched recursively, or one .txt or .ann file):
- `<doc>_<annotator>.ann` beside `<doc>.txt`; the longest `<doc>` that has a .txt wins (names may hold `_`);
- one folder per annotator: `alice/doc1.ann`, with `doc1.txt` beside it (each annotator's copy) or in a folder
  above it (one shared text, e.g. `ann/alice/doc1.ann` and `doc1.txt`); the annotator is the folder's name;
- a plain `<doc>.ann` beside `<doc>.txt` at the top needs --annotator (which also overrides folder names).
An `.ann` that exists but holds nothing is a real, empty annotation ("saw it, marked nothing").

How brat maps onto our records:
- `T` text-bound annotations become spans with the brat id (`T3`) and type as label. The `.ann` text is checked
  against the document as brat checks it: the fragments of a discontinuous span joined by one space.
- **Discontinuous spans** (`T3 Content 0 5;9 14`). Fragments whose gap holds only whitespace and punctuation are
  one span over their hull: brat forces a fragment break at every line break (our own brat export writes a span
  that crosses one that way), so the hull gives back exactly the span that was meant. Fragments separated by words
  ("“We will,” she said, “win.”") become one span per fragment, `T3`, `T3.2`, …, each with the same attributes
  and relations: that is how the guidelines annotate a quote interrupted by its cue (two CLAIMs, one CUE and one
  SOURCE), and a hull would swallow the interrupting cue and source into the claim.
- `R` relations (`R1 Type Arg1:T1 Arg2:T2`) become relations T1 -> T2 with the type as label.
- `E` events (`E1 Attribution:T4 Source:T1 Cue:T2 Content:T3`): each argument is a participant labelled by its
  role, renamed by --label-map like a span label (`Source=SOURCE`; a numbered role `Content2` is the role
  `Content`); a role that is not a schema label falls back to its argument's own (renamed) label, and so does the
  trigger. Every ordered pair of participants that the schema links becomes that relation: CUE -> CLAIM is
  cue_of, CLAIM -> SOURCE attributed_to, SUPPLEMENT -> CLAIM supplement_of. Several Sources, Cues or Contents
  give every pair. A role that names another event (`Content:E2`, a nested attribution) stands for the text that
  event covers: a span over its arguments, labelled with the role. The trigger stays a span of its own type,
  so a trigger type outside the schema (`Attribution`) is dropped later with a count.
- `A`/`M` attributes become span attrs (`A1 Negated T1` -> "true", `A2 Conf T1 High` -> "High"); on an event, on
  its trigger. `N` normalisations become attrs["norm"] and `#` notes attrs["note"].
- `*` equivalences (`* Equiv T1 T2 T3`) become a chain of relations T1 -> T2 -> T3 labelled with the type.
Anything the schema has no place for is dropped afterwards by importers.conform, with counts.

Lines end at `\\n`, `\\r\\n` or `\\r` only, as brat reads them: news text can hold U+2028 or a form feed inside
a span, and str.splitlines would cut the line there. brat reads text with universal newlines, so when offsets do
not fit a text with `\\r\\n` as it is, they are tried against the text with `\\n` line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RecordError
from ..records import AnnotatedDoc, Relation, Span, make_doc_id
from ..schema import Schema, load_schema
from .common import LabelMap, ReadOptions, Tally

_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# ---------------------------------------------------------------------------------------------------------
# Finding the files


@dataclass(frozen=True)
class BratFile:
    """One annotation file, the text it annotates and whose annotation it is."""

    text_path: Path
    ann_path: Path
    annotator: str


def find_files(path: Path, annotator: str | None = None) -> list[BratFile]:
    """Every .ann under `path` (a directory, an .ann file, or a .txt file) paired with its text, sorted."""
    if not path.exists():
        raise RecordError(str(path), None, None, "does not exist", "Give a brat directory, or one .txt or .ann file")
    if path.is_dir():
        root, anns = path, sorted(path.rglob("*.ann"))
    elif path.suffix == ".txt":
        root = path.parent
        anns = sorted(p for p in path.parent.glob(f"{glob_escape(path.stem)}*.ann")
                      if p.stem == path.stem or p.stem.startswith(path.stem + "_"))
    elif path.suffix == ".ann":
        root, anns = path.parent, [path]
    else:
        raise RecordError(str(path), None, None, "is not a brat directory, .txt or .ann file",
                          "Give the folder that holds the .txt and .ann files")
    found = [BratFile(*_text_for(ann, root, annotator)) for ann in anns]
    if not found:
        raise RecordError(str(path), None, None, "holds no .ann files",
                          "brat annotations live in <doc>_<annotator>.ann files, or in one folder per annotator")
    return sorted(found, key=lambda f: (str(f.text_path), f.annotator, str(f.ann_path)))


def glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


def _text_for(ann: Path, root: Path, annotator: str | None) -> tuple[Path, Path, str]:
    stem = ann.stem
    folder_name = ann.parent.name if ann.parent != root else None  # one folder per annotator
    same = ann.with_suffix(".txt")
    if same.exists():
        name = annotator or folder_name
        if not name:
            raise RecordError(str(ann), None, None, "does not say who annotated it",
                              f"Name it {stem}_<annotator>.ann, put it in a folder named after the annotator, "
                              "or pass --annotator NAME")
        return same, ann, name
    # <doc>_<annotator>.ann: the longest <doc> that has a .txt wins, so doc names may contain underscores.
    cuts = [i for i, char in enumerate(stem) if char == "_"]
    for cut in reversed(cuts):
        candidate = ann.with_name(stem[:cut] + ".txt")
        if candidate.exists() and stem[cut + 1:]:
            return candidate, ann, stem[cut + 1:]
    # One folder per annotator over a shared text: the nearest <doc>.txt in a folder above, up to the root.
    if folder_name:
        for folder in ann.parent.parents:
            if folder != root and root not in folder.parents:
                break
            if (folder / f"{stem}.txt").exists():
                return folder / f"{stem}.txt", ann, annotator or folder_name
    raise RecordError(str(ann), None, None, "has no text file",
                      f"Put {stem}.txt beside it (or in a folder above it, when each annotator has a folder), "
                      "or name it <doc>_<annotator>.ann next to <doc>.txt")


# ---------------------------------------------------------------------------------------------------------
# Reading


def read_brat(path: str | Path, options: ReadOptions, tally: Tally) -> Iterator[AnnotatedDoc]:
    """Records for every annotation file under `path`, in sorted order (text file, then annotator)."""
    path = Path(path)
    base = path if path.is_dir() else path.parent
    rules = EventRules.build(options.schema, options.label_map)
    seen: dict[tuple[str, str], Path] = {}
    for brat in find_files(path, options.annotator):
        text, parsed = _parse_file(brat, rules, tally)
        doc_id = make_doc_id(text)
        if (doc_id, brat.annotator) in seen:
            raise RecordError(str(brat.ann_path), None, None, f"annotates the same text as {seen[doc_id, brat.annotator]}"
                              f" for the same annotator {brat.annotator!r}", "Keep one .ann per text and annotator")
        seen[doc_id, brat.annotator] = brat.ann_path
        shown = brat.ann_path.relative_to(base).as_posix()  # as in the records' meta, not the full path
        for reason, where in parsed.dropped:
            tally.drop(reason, where.replace(str(brat.ann_path), shown, 1))
        tally.used_labels.update(parsed.used_roles)
        meta = {"source_file": brat.text_path.relative_to(base).as_posix(),
                "brat_ann": brat.ann_path.relative_to(base).as_posix()}
        yield AnnotatedDoc(doc_id, text, brat.annotator, tuple(parsed.spans), tuple(parsed.relations), meta)


def _parse_file(brat: BratFile, rules: EventRules, tally: Tally) -> tuple[str, ParsedAnn]:
    text = _read_text(brat.text_path)
    ann = _read_text(brat.ann_path, allow_empty=True)
    try:
        return text, parse_ann(ann, text, str(brat.ann_path), rules)
    except RecordError as as_is:
        if "\r" not in text:
            raise
        universal = text.replace("\r\n", "\n").replace("\r", "\n")
        try:
            parsed = parse_ann(ann, universal, str(brat.ann_path), rules)
        except RecordError:
            raise as_is from None
    tally.notes.append(f"{brat.ann_path}: offsets count each \\r\\n line break as one character (as brat reads "
                       f"text); the record's text has \\n line breaks")
    return universal, parsed


def _read_text(path: Path, allow_empty: bool = False) -> str:
    try:
        # newline="" keeps \r\n: offsets are tried on the file's characters as they are first.
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise RecordError(str(path), None, None, f"is not valid UTF-8 (byte {error.start})", "Re-encode it as UTF-8") from error
    except OSError as error:
        raise RecordError(str(path), None, None, f"cannot be read ({error.strerror})") from error
    if not allow_empty and not text.strip():
        raise RecordError(str(path), None, None, "is empty", "A brat document needs its text")
    return text


# ---------------------------------------------------------------------------------------------------------
# Parsing one .ann (pure: strings in, records out)


@dataclass(frozen=True)
class EventRules:
    """How event roles become relations: names renamed by the label map, pairs of labels linked by the schema."""

    label_map: LabelMap
    labels: frozenset[str]
    links: Mapping[tuple[str, str], tuple[str, ...]]  # (from label, to label) -> relation names

    @classmethod
    def build(cls, schema: Schema, label_map: LabelMap | None = None) -> EventRules:
        links: dict[tuple[str, str], tuple[str, ...]] = {}
        for relation in schema.relations:
            pair = (relation.from_label, relation.to_label)
            links[pair] = (*links.get(pair, ()), relation.name)
        return cls(label_map or LabelMap(), frozenset(schema.labels), links)


@dataclass(frozen=True)
class TextBound:
    ident: str
    label: str
    fragments: tuple[tuple[int, int], ...]
    line: int


@dataclass(frozen=True)
class Event:
    ident: str
    trigger: str
    arguments: tuple[tuple[str, str], ...]  # (role, referenced id)
    line: int


@dataclass
class ParsedAnn:
    spans: list[Span]
    relations: list[Relation]
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (reason, where)
    used_roles: set[str] = field(default_factory=set)  # roles the label map renamed


def _squash(value: str) -> str:
    return " ".join(value.split())


def _matches(claimed: str, pieces: list[str]) -> bool:
    """brat's own check: the fragments joined by one space (whitespace squashed, since some corpora write line
    breaks inside a span as spaces); brat before 1.3 joined them with nothing, and brat still reads that."""
    return _squash(claimed) == _squash(" ".join(pieces)) or claimed == "".join(pieces)


def _bridgeable(gap: str) -> bool:
    return all(char.isspace() or unicodedata.category(char).startswith("P") for char in gap)


def _groups(fragments: tuple[tuple[int, int], ...], text: str) -> list[tuple[int, int]]:
    """Fragments merged across gaps of whitespace and punctuation; one (start, end) per remaining piece."""
    groups = [fragments[0]]
    for start, end in fragments[1:]:
        if _bridgeable(text[groups[-1][1]:start]):
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return groups


def role_name(role: str) -> str:
    """brat numbers repeated roles (Content2, Source3): the role is the name without its digits."""
    return role.rstrip("0123456789") or role


def parse_ann(ann: str, text: str, where: str = "<ann>", rules: EventRules | None = None) -> ParsedAnn:
    """Spans and relations from the content of one .ann file over `text`. Span labels are brat's; relations
    from events are named by the schema in `rules` (default: the default schema, no renames)."""
    bounds: dict[str, TextBound] = {}
    events: dict[str, Event] = {}
    attrs: dict[str, dict[str, str]] = {}
    notes: dict[str, list[str]] = {}
    norms: dict[str, list[str]] = {}
    pending: list[tuple[int, str, str, str]] = []  # (line, from ref, to ref, label), resolved at the end
    targets: list[tuple[int, str]] = []  # (line, ref) of attributes and notes: the ref must exist

    for number, line in enumerate(_LINE_BREAK.split(ann), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0].strip()
        kind = ident[:1]
        if kind in "TE" and (ident in bounds or ident in events):
            raise RecordError(where, number, ident, "is defined twice in this file")
        if kind == "T":
            bounds[ident] = _text_bound(fields, ident, text, where, number)
        elif kind == "E":
            if len(fields) < 2 or not fields[1].strip():
                raise RecordError(where, number, ident, "an E line needs: id <TAB> Type:Trigger Role:Arg ...")
            parts = [part.split(":", 1) for part in fields[1].split()]
            if any(len(part) != 2 or not all(part) for part in parts):
                raise RecordError(where, number, ident, f"cannot read {fields[1]!r}", "Expected Type:T1 Role:T2 ...")
            events[ident] = Event(ident, parts[0][1], tuple((role, ref) for role, ref in parts[1:]), number)
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
            norms.setdefault(parts[1], []).append(parts[2])
            targets.append((number, parts[1]))
        elif kind == "#":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) != 2:
                raise RecordError(where, number, ident, "a note line needs: id <TAB> AnnotatorNotes Target <TAB> note")
            notes.setdefault(parts[1], []).append("\t".join(fields[2:]))
            targets.append((number, parts[1]))
        elif kind == "*":
            parts = fields[1].split() if len(fields) > 1 else []
            if len(parts) < 3:
                raise RecordError(where, number, "*", "an equivalence line needs: * <TAB> Type T1 T2 ...")
            pending.extend((number, left, right, parts[0]) for left, right in zip(parts[1:], parts[2:]))
        else:
            raise RecordError(where, number, ident or None, f"unknown brat annotation {ident!r}",
                              "Lines start with T, R, E, A, M, N, # or *")
    return _Resolver(text, where, bounds, events, rules).resolve(attrs, notes, norms, pending, targets)


def _text_bound(fields: list[str], ident: str, text: str, where: str, number: int) -> TextBound:
    if len(fields) < 3:
        raise RecordError(where, number, ident, "a T line needs: id <TAB> Type start end[;start end...] <TAB> text")
    head = fields[1].split(" ", 1)
    if len(head) != 2 or not _OFFSETS.match(head[1]):
        raise RecordError(where, number, ident, f"cannot read type and offsets from {fields[1]!r}",
                          "Expected e.g. 'SOURCE 12 30' or 'CLAIM 0 5;9 14'")
    fragments = tuple(sorted(tuple(int(x) for x in part.split(" ")) for part in head[1].split(";")))
    for start, end in fragments:
        if not 0 <= start < end <= len(text):
            raise RecordError(where, number, ident, f"offsets {start} {end} are outside the text "
                              f"({len(text)} characters) or empty", "Is this .ann for another version of the text?")
    for (_, end), (start, _) in zip(fragments, fragments[1:]):
        if start < end:
            raise RecordError(where, number, ident, f"fragments {head[1]} overlap", "brat fragments never overlap")
    claimed = "\t".join(fields[2:])
    pieces = [text[start:end] for start, end in fragments]
    if not _matches(claimed, pieces):
        shown = f"the fragments joined by a space read {' '.join(pieces)!r}" if len(pieces) > 1 else f"it reads {pieces[0]!r}"
        raise RecordError(where, number, ident, f"text {claimed!r} does not match the document at {head[1]}: {shown}",
                          "Is this .ann for another version of the text?")
    return TextBound(ident, head[0], fragments, number)


class _Resolver:
    """Turns the parsed lines of one file into spans and relations (ids resolved, events expanded)."""

    def __init__(self, text: str, where: str, bounds: dict[str, TextBound], events: dict[str, Event],
                 rules: EventRules | None) -> None:
        self.text, self.where, self.bounds, self.events = text, where, bounds, events
        self.rules = rules or (EventRules.build(load_schema()) if events else EventRules(LabelMap(), frozenset(), {}))
        self.spans: dict[str, Span] = {}
        self.ids: dict[str, list[str]] = {}  # T id -> the ids of its spans (one, or one per fragment group)
        self.parsed = ParsedAnn([], [])
        for bound in bounds.values():
            groups = _groups(bound.fragments, text)
            self.ids[bound.ident] = [bound.ident] + [f"{bound.ident}.{k}" for k in range(2, len(groups) + 1)]
            for span_id, (start, end) in zip(self.ids[bound.ident], groups):
                self.spans[span_id] = Span(span_id, start, end, bound.label, text[start:end])
        for event in events.values():
            if event.trigger not in bounds:
                raise RecordError(where, event.line, event.ident, f"trigger {event.trigger!r} is not a T annotation in this file")

    def refer(self, reference: str, number: int) -> list[str]:
        """Span ids for a T (all its pieces) or an E (its trigger), as relations and attributes use them."""
        if reference in self.ids:
            return self.ids[reference]
        if reference in self.events:
            return self.ids[self.events[reference].trigger]
        raise RecordError(self.where, number, reference, "refers to an annotation this file does not define")

    def extent(self, event_id: str, inside: tuple[str, ...]) -> tuple[int, int]:
        """The text an event covers: from its first argument's start to its last one's end (nested events too)."""
        event = self.events[event_id]
        if event_id in inside:
            raise RecordError(self.where, event.line, event_id, "is its own argument (through " + " -> ".join(inside) + ")")
        ends: list[tuple[int, int]] = []
        for _, reference in event.arguments or ((None, event.trigger),):
            if reference in self.bounds:
                fragments = self.bounds[reference].fragments
                ends.append((fragments[0][0], fragments[-1][1]))
            elif reference in self.events:
                ends.append(self.extent(reference, (*inside, event_id)))
            else:
                self.refer(reference, event.line)
        return min(start for start, _ in ends), max(end for _, end in ends)

    def event_span(self, event_id: str, role: str) -> str:
        """A span over what event `event_id` covers, labelled `role`: one already marked there, or a new one."""
        start, end = self.extent(event_id, ())
        for span in self.spans.values():
            if (span.start, span.end, span.label) == (start, end, role):
                return span.id
        span_id = event_id if event_id not in self.spans else f"{event_id}.{role}"
        self.spans[span_id] = Span(span_id, start, end, role, self.text[start:end])
        return span_id

    def event_relations(self, event: Event) -> list[Relation]:
        rules = self.rules
        trigger = self.bounds[event.trigger]
        participants = [(self.ids[event.trigger], rules.label_map.label(trigger.label), None)]
        for role, reference in event.arguments:
            name = role_name(role)
            if name in rules.label_map.spans:
                self.parsed.used_roles.add(name)
            as_role = rules.label_map.label(name)
            if reference in self.bounds:
                span_ids, own = self.ids[reference], rules.label_map.label(self.bounds[reference].label)
            elif reference in self.events:
                span_ids, own = [self.event_span(reference, name)], as_role
            else:
                self.refer(reference, event.line)  # raises: undefined
            participants.append((span_ids, as_role if as_role in rules.labels else own, name))
        relations: list[Relation] = []
        linked: set[int] = set()
        for i, (from_ids, from_label, _) in enumerate(participants):
            for j, (to_ids, to_label, _) in enumerate(participants):
                for relation_name in rules.links.get((from_label, to_label), ()) if i != j else ():
                    relations.extend(Relation(a, b, relation_name) for a in from_ids for b in to_ids if a != b)
                    linked.update((i, j))
        at = f"{self.where}:{event.line}: {event.ident}"
        if not relations:
            self.parsed.dropped.append(("brat event whose roles the schema links in no relation", at))
        else:
            for index, (_, label, role) in enumerate(participants[1:], start=1):
                if index not in linked:
                    self.parsed.dropped.append((f"brat event role {role!r} ({label}) that the schema links to no "
                                                "other role of its event", at))
        return relations

    def resolve(self, attrs, notes, norms, pending, targets) -> ParsedAnn:
        relations: list[Relation] = []
        for event in self.events.values():
            relations.extend(self.event_relations(event))
        for number, left, right, label in pending:
            relations.extend(Relation(a, b, label) for a in self.refer(left, number) for b in self.refer(right, number))
        extra: dict[str, dict[str, str]] = {}
        for number, reference in targets:
            for span_id in self.refer(reference, number):
                values = extra.setdefault(span_id, {})
                values.update(attrs.get(reference, {}))
                if reference in norms:
                    values["norm"] = "; ".join(norms[reference])
                if reference in notes:
                    values["note"] = "; ".join(notes[reference])
        order = {span_id: index for index, span_id in enumerate(self.spans)}
        spans = [Span(s.id, s.start, s.end, s.label, s.text, dict(sorted(extra[s.id].items()))) if s.id in extra else s
                 for s in self.spans.values()]
        self.parsed.spans = sorted(spans, key=lambda s: (s.start, s.end, order[s.id]))
        self.parsed.relations = sorted(set(relations), key=lambda r: (_id_key(r.from_id), _id_key(r.to_id), r.label))
        return self.parsed


def _id_key(span_id: str) -> tuple:
    """T2 before T10; pieces T3.2 right after T3."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", span_id) if part)
