"""Figures in claims: every quantity a CLAIM states, with its value or range, its bound, what it counts, whose it
is, when, and where it sits in the text.

Numbers are found by pattern (numbers.py); spaCy's entities drop dates, times and ordinals, and its parse gives
the counted noun ("11,000 troops"), the predicate ("1,000 had been killed"), the party the figure belongs to
("Russia's 60,000 troops") and a time attached to the predicate ("in December"). The kind of quantity comes from
the configured lexicon (annotate/configs/claims.toml), predicate first: "1,000 troops killed" counts the killed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

from ..records import AnnotatedDoc, Span
from .numbers import Number, find_numbers
from .settings import ClaimsSettings

OUTLET_FIELDS = ("outlet", "publisher", "site_name", "site", "source", "domain", "url", "source_file")
# Prepositions whose object is where or for whom, not whose: "sent to Russia", "fight for Russia", "in Kursk".
NOT_OWNER_PREPOSITIONS = frozenset({"to", "into", "in", "inside", "for", "against", "at", "on", "near", "toward",
                                    "towards", "across", "within", "by"})
TIME_PREPOSITIONS = frozenset({"in", "since", "during", "over", "for", "by", "until", "as", "after", "before", "within"})
# "a five-minute walk", "a 10-year plan": a duration, not a quantity stated as a figure.
DURATION = re.compile(r"\s*-?\s*(?:second|minute|hour|day|week|month|year|decade|century)s?\b", re.IGNORECASE)
CARRY_SENTENCES = 2  # how far back a figure without a party looks for the previous figure's party
NOUNS = frozenset({"NOUN", "PROPN"})
VERBS = frozenset({"VERB", "AUX"})


@dataclass(frozen=True)
class Figure:
    """One quantity as stated: low == high for a single value."""

    text: str
    start: int
    end: int
    low: float
    high: float
    bound: str  # exact | approximate | lower | upper
    bound_text: str
    unit: str | None
    kind: str | None
    counted: str | None
    predicate: str | None
    owners: tuple[str, ...]
    time: str | None

    @property
    def value_text(self) -> str:
        def show(value: float) -> str:
            return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
        return show(self.low) if self.low == self.high else f"{show(self.low)}–{show(self.high)}"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "low": self.low, "high": self.high,
                "bound": self.bound, "bound_text": self.bound_text, "unit": self.unit, "kind": self.kind,
                "counted": self.counted, "predicate": self.predicate, "owners": list(self.owners), "time": self.time}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Figure:
        return cls(**{**raw, "owners": tuple(raw.get("owners", ()))})


@dataclass(frozen=True)
class Claim:
    """A CLAIM span (or, for the outlet's own statements, a sentence) with who said it and how."""

    doc_id: str
    span_id: str | None  # None: a sentence with a figure outside any CLAIM, stated by the outlet itself
    start: int
    end: int
    text: str
    sentence: str
    source: str | None
    cue: str | None
    certainty: str | None
    outlet: str
    cluster: str | None
    near_duplicates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "span_id": self.span_id, "start": self.start, "end": self.end,
                "text": self.text, "sentence": self.sentence, "source": self.source, "cue": self.cue,
                "certainty": self.certainty, "outlet": self.outlet, "cluster": self.cluster,
                "near_duplicates": list(self.near_duplicates)}


@dataclass(frozen=True)
class FigureMention:
    """A figure inside its claim, with what linking compares: entities and content words of its sentence."""

    claim: Claim
    figure: Figure
    entities: frozenset[str] = field(default_factory=frozenset)
    words: Mapping[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable identity, independent of how the claim span was drawn: document and figure offsets."""
        return f"{self.claim.doc_id}:{self.figure.start}-{self.figure.end}"


def find_figure(sentence: str, figure_text: str) -> int:
    """Where a figure stands in its sentence as a whole number: '1,000' is not the end of '11,000'; -1 if absent."""
    match = re.search(rf"(?<![\w.,]){re.escape(figure_text)}(?![\d])", sentence)
    return match.start() if match else -1


def outlet_of(doc: AnnotatedDoc) -> str:
    for name in OUTLET_FIELDS:
        value = doc.meta.get(name)
        if isinstance(value, str) and value.strip():
            return urlparse(value).netloc or value if name == "url" else value
    return doc.doc_id


def _relations(doc: AnnotatedDoc) -> tuple[dict[str, str], dict[str, str]]:
    """claim id -> source id, claim id -> cue id."""
    sources, cues = {}, {}
    for relation in doc.relations:
        if relation.label == "attributed_to":
            sources.setdefault(relation.from_id, relation.to_id)
        elif relation.label == "cue_of":
            cues.setdefault(relation.to_id, relation.from_id)
    return sources, cues


# ---------------------------------------------------------------------------------------------------------
# Reading one number in its parse


def _phrase_bound(text: str, phrases: Mapping[str, str], before: bool) -> tuple[str, str]:
    """The bound set by the words right before (or after) a number, longest phrase first."""
    window = text.lower()
    for phrase in sorted(phrases, key=len, reverse=True):
        escaped = re.escape(phrase)
        edge = r"(?<![\w])" if phrase[0].isalnum() else ""
        tail = r"(?![\w])" if phrase[-1].isalnum() else ""
        pattern = rf"{edge}{escaped}\s*$" if before else rf"^\s*{escaped}{tail}"
        if re.search(pattern, window):
            return phrases[phrase], phrase
    return "exact", ""


def _unit_after(text: str, units: Mapping[str, str]) -> str | None:
    lowered = text.lower()
    for unit in sorted(units, key=len, reverse=True):
        tail = r"(?![\w])" if unit[-1].isalnum() else ""
        if re.match(rf"[\s-]?{re.escape(unit)}{tail}", lowered) and not unit.startswith(("$", "£", "€")):
            return unit
    return None


def _numeral_token(tokens):
    """The token that carries a number phrase: 'thousand' in 'eleven thousand', '12,000' in '10,000-12,000'."""
    token = tokens[-1]
    while token.dep_ in ("compound", "quantmod", "nummod", "conj", "prep", "pobj", "cc") and token.head.pos_ == "NUM" \
            and token.head.i != token.i and token.head in tokens:
        token = token.head
    return token


def _of_object(token):
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "out"):
            inner = child if child.lower_ == "of" else next((c for c in child.children if c.lower_ == "of"), None)
            objects = [c for c in inner.children if c.dep_ == "pobj"] if inner is not None else []
            if objects:
                target = objects[0]
                if target.pos_ == "NUM":  # "1,000 of the 11,000 troops": the noun the inner number counts
                    return target.head if target.dep_ == "nummod" and target.head.pos_ in NOUNS else None
                return target if target.pos_ in NOUNS else None
    return None


def counted_noun(number):
    """The noun a number counts: '11,000 troops', '1,000 of the troops', 'casualties at 45,100', 'Losses ... 1,100'."""
    if number.dep_ == "nummod" and number.head.pos_ in NOUNS:
        return number.head
    inner = _of_object(number)
    if inner is not None:
        return inner
    if number.dep_ == "pobj":
        governor = number.head.head
        if governor.pos_ in NOUNS and governor.i != number.head.i:
            return governor
        if governor.pos_ in VERBS:
            # "put casualties at 45,100", "Losses that Seoul figures at around 1,100", "the death toll stood at 410"
            objects = [c for c in governor.children if c.dep_ in ("dobj", "nsubjpass") and c.pos_ in NOUNS]
            if objects:
                return objects[0]
            if governor.dep_ == "relcl" and governor.head.pos_ in NOUNS:
                return governor.head
            subjects = [c for c in governor.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"]  # not a name
            if subjects:
                return subjects[0]
    if number.dep_ in ("nsubj", "nsubjpass") and number.head.pos_ in VERBS:
        return _of_object(number.head)
    return None


def predicate_of(number, noun):
    """The verb stating the figure: the verb it is subject or object of ('1,000 had been killed'), else the noun's
    own clause ('troops sent'), else the verb above it."""
    if number.dep_ in ("nsubj", "nsubjpass", "dobj") and number.head.pos_ == "VERB":
        return number.head
    if noun is not None:
        for child in noun.children:
            if child.dep_ in ("acl", "relcl") and child.pos_ in VERBS:
                return child
    token = number
    for _ in range(5):
        if token.pos_ == "VERB":
            return token
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def _predicate_phrase(verb) -> str:
    """'killed or injured' from the verb and the verbs joined to it."""
    if verb is None:
        return ""
    words = [verb.lower_]
    for child in verb.children:
        if child.dep_ == "cc":
            words.append(child.lower_)
        elif child.dep_ == "conj" and child.pos_ in VERBS:
            words.append(child.lower_)
    return " ".join(words)


def kind_of(settings: ClaimsSettings, unit: str | None, verb, noun, counted_is_demonym: bool) -> str | None:
    if unit is not None:
        return settings.units[unit]
    lexicon = settings.kind_of_word
    phrase = _predicate_phrase(verb)
    if phrase in lexicon:
        return lexicon[phrase]
    if verb is not None:
        for word in (verb.lower_, verb.lemma_.lower()):
            if word in lexicon:
                return lexicon[word]
    if noun is not None:
        compounds = " ".join(t.lower_ for t in noun.children if t.dep_ == "compound" and t.i < noun.i)
        for word in (f"{compounds} {noun.lower_}".strip(), noun.lower_, noun.lemma_.lower()):
            if word in lexicon:
                return lexicon[word]
        # An event named by a noun: "the capture of dozens of settlements", "the deaths of 300 people".
        token = noun
        for _ in range(2):  # "the capture of [dozens of [settlements]]"
            if not (token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ in ("NOUN", "NUM")):
                break
            token = token.head.head
            for word in (token.lower_, token.lemma_.lower()):
                if word in lexicon:
                    return lexicon[word]
        if counted_is_demonym:
            return settings.demonym_kind
        return "noun:" + noun.lemma_.lower()
    return None


def _tree_distance(first, second) -> int:
    ancestors = {first.i: 0}
    token, steps = first, 0
    while token.head.i != token.i:
        steps += 1
        token = token.head
        ancestors[token.i] = steps
    token, steps = second, 0
    while token.i not in ancestors:
        if token.head.i == token.i:
            return 99
        steps += 1
        token = token.head
    return steps + ancestors[token.i]


def owners_of(settings: ClaimsSettings, anchor, entities, excluded: Iterable[tuple[int, int]]) -> tuple[str, ...]:
    """The parties named in the counted noun phrase ('Russia's troops', 'troops from North Korea'), else the ones
    nearest to it in the parse, leaving out the source and the places it is sent to or fought in."""
    excluded = list(excluded)
    own = {t.i for t in anchor.children if t.dep_ in ("poss", "amod", "compound", "nmod")}
    own |= {inner.i for t in anchor.children if t.dep_ == "prep" and t.lower_ in ("from", "of")
            for inner in t.subtree}
    scored = []
    for entity in entities:
        if entity.label_ not in settings.owner_labels:
            continue
        if any(start <= entity.start_char < end for start, end in excluded):
            continue
        root = entity.root
        if root.dep_ == "pobj" and root.head.lower_ in NOT_OWNER_PREPOSITIONS:
            continue
        distance = 0 if root.i in own or root.head.i in own else _tree_distance(anchor, root)
        scored.append((distance, settings.party(entity.text)))
    if not scored:
        return ()
    nearest = min(distance for distance, _ in scored)
    return tuple(sorted({party for distance, party in scored if distance == nearest}))


def time_of(verb, noun, skip_labels: frozenset[str]) -> str | None:
    """A date attached to the predicate ('killed in just three months', 'In December, ... advanced') or the noun."""
    governing = _governing_verb(noun)
    for head in (noun, verb, governing):
        if head is None:
            continue
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in TIME_PREPOSITIONS:
                for inner in child.children:
                    if inner.dep_ == "pobj" and inner.ent_type_ in skip_labels and inner.ent_type_ != "ORDINAL":
                        return f"{child.text} {_entity_text(inner)}"
            elif child.dep_ in ("npadvmod", "tmod") and child.ent_type_ == "DATE":
                return _entity_text(child)
    return None


def _governing_verb(noun):
    """The verb whose object or subject the counted phrase is: 'advanced [the figure of 3,000 men]'. A noun inside
    a partitive ('out of some 11,000 troops, 1,000 had been killed') has none: its verb states another figure."""
    token = noun
    while token is not None and token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ in NOUNS:
        token = token.head.head
    if token is not None and token.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and token.head.pos_ in VERBS:
        return token.head
    return None


def _entity_text(token) -> str:
    for entity in token.doc.ents:
        if entity.start <= token.i < entity.end:
            return entity.text
    return token.text


# ---------------------------------------------------------------------------------------------------------
# Documents -> figure mentions


def _claim_units(doc: AnnotatedDoc) -> list[tuple[Span, Span | None, Span | None]]:
    spans = doc.span_by_id()
    sources, cues = _relations(doc)
    return [(span, spans.get(sources.get(span.id, "")), spans.get(cues.get(span.id, "")))
            for span in doc.spans if span.label == "CLAIM"]


def _in_skipped_entity(parsed, start: int, end: int, skip: frozenset[str]) -> bool:
    return any(entity.label_ in skip and entity.start_char < end and start < entity.end_char for entity in parsed.ents)


def _is_year(number: Number, text: str, settings: ClaimsSettings) -> bool:
    raw = text[number.start:number.end]
    low, high = settings.year_range
    return bool(re.fullmatch(r"\d{4}", raw)) and low <= number.low <= high


def _content_words(sentence) -> Counter:
    return Counter(token.lemma_.lower() for token in sentence
                   if token.is_alpha and not token.is_stop and token.pos_ != "NUM" and len(token) > 2)


def figure_mentions(doc: AnnotatedDoc, parsed, settings: ClaimsSettings) -> Iterator[FigureMention]:
    """Every figure in the document's claims (and, if configured, in the outlet's own sentences)."""
    text = doc.text
    claims = _claim_units(doc)
    outlet = outlet_of(doc)
    cluster = doc.meta.get("cluster") if isinstance(doc.meta.get("cluster"), str) else None
    near = tuple(sorted(str(item.get("doc_id")) for item in doc.meta.get("near_duplicates") or []
                        if isinstance(item, dict) and item.get("doc_id")))
    previous_end = -1
    recent_owners: tuple[tuple[str, ...], int] = ((), -99)  # the last figure's parties, and its sentence number
    for sentence_number, sentence in enumerate(parsed.sents):
        s_start, s_end = sentence.start_char, sentence.end_char
        sentence_text = text[s_start:s_end]
        numbers = sorted(find_numbers(sentence_text, settings.scales, settings.vague, settings.range_joiners),
                         key=lambda n: (n.start, -(n.end - n.start)))
        taken_until = -1
        for number in numbers:
            start, end = s_start + number.start, s_start + number.end
            if number.start < taken_until:  # inside a longer number already read ("tens of thousands")
                continue
            raw = text[start:end]
            if raw.lower() in ("one", "a") or _is_year(number, text, settings) \
                    or DURATION.match(text, end):
                continue
            if not number.vague and _in_skipped_entity(parsed, start, end, settings.skip_entities):
                continue
            # A conversion in brackets ("1,000 sq km (386 sq miles)") restates the figure before it.
            if previous_end >= 0 and re.fullmatch(r"[\s\w.%-]{0,12}\(\s*", text[previous_end:start]) \
                    and text[previous_end:start].count("(") == 1:
                previous_end = end
                continue
            taken_until = number.end
            previous_end = end
            mention = _mention(doc, parsed, settings, number, start, end, sentence, claims, outlet, cluster, near)
            if mention is None:
                continue
            # News names the party once and then gives more figures about it ("In December, Zelensky advanced the
            # figure of 3,000 men killed or injured"): a figure with no party of its own takes the last one's.
            if not mention.figure.owners and sentence_number - recent_owners[1] <= CARRY_SENTENCES:
                mention = replace(mention, figure=replace(mention.figure, owners=recent_owners[0]))
            if mention.figure.owners and mention.figure.unit is None:  # a count of people or things, not an area
                recent_owners = (mention.figure.owners, sentence_number)
            yield mention


def _mention(doc, parsed, settings, number, start, end, sentence, claims, outlet, cluster, near):
    text = doc.text
    containing = [item for item in claims if item[0].start <= start and end <= item[0].end]
    if containing:
        claim_span, source, cue = max(containing, key=lambda item: item[0].end - item[0].start)
        claim = Claim(doc.doc_id, claim_span.id, claim_span.start, claim_span.end, claim_span.text,
                      sentence.text.strip(), source.text if source else None, cue.text if cue else None,
                      claim_span.attrs.get("certainty"), outlet, cluster, near)
        excluded = [(source.start, source.end)] if source else []
        scope = [e for e in parsed.ents if claim_span.start <= e.start_char and e.end_char <= claim_span.end]
    elif settings.include_unattributed:
        claim = Claim(doc.doc_id, None, sentence.start_char, sentence.end_char, sentence.text, sentence.text.strip(),
                      None, None, None, outlet, cluster, near)
        excluded, scope = [], [e for e in sentence.ents]
    else:
        return None
    tokens = parsed.char_span(start, end, alignment_mode="expand")
    if tokens is None or not len(tokens):
        return None
    anchor = _numeral_token(list(tokens))
    if number.vague:
        anchor = tokens[0]
    noun = counted_noun(anchor)
    verb = predicate_of(anchor, noun)
    after = text[end:end + 24]
    unit = _unit_after(re.sub(r"^\s+of\b", "", after) if number.vague else after, settings.units)
    if unit is None and text[max(0, start - 1):start] in ("$", "£", "€"):
        unit = text[start - 1]
    if unit is not None and noun is not None and noun.lower_ in settings.units:  # "45% of voters" counts voters
        noun = _of_object(noun)
    bound, bound_text = _phrase_bound(text[max(0, start - 30):start], settings.bounds_before, before=True)
    if bound == "exact":
        bound, bound_text = _phrase_bound(text[end:end + 12], settings.bounds_after, before=False)
    if number.vague and bound == "exact":
        bound = "approximate"
    demonym = noun is not None and noun.ent_type_ == "NORP"
    kind = kind_of(settings, unit, verb, noun, demonym)
    if unit is not None and settings.units[unit] in ("percent", "money") and noun is not None:
        kind = f"{settings.units[unit]}:{noun.lemma_.lower()}"
    owner_anchor = noun if noun is not None else anchor
    owners = owners_of(settings, owner_anchor, scope, excluded)
    if not owners and demonym:
        owners = (settings.party(noun.text),)
    if not owners and claim.span_id is not None:
        owners = owners_of(settings, owner_anchor, sentence.ents, excluded)
    counted = None
    if noun is not None:
        counted = " ".join(t.text for t in noun.subtree if t.i >= noun.i - 3 and t.i <= noun.i and t.pos_ != "NUM"
                           and t.dep_ not in ("det", "quantmod", "advmod", "punct") and not t.like_num).strip() or noun.text
    figure = Figure(text=text[start:end], start=start, end=end, low=number.low, high=number.high, bound=bound,
                    bound_text=bound_text, unit=unit, kind=kind, counted=counted,
                    predicate=_predicate_phrase(verb) or None, owners=owners,
                    time=time_of(verb, noun, settings.skip_entities))
    entities = frozenset(settings.party(e.text) for e in sentence.ents if e.label_ in settings.entity_labels)
    return FigureMention(claim=claim, figure=figure, entities=entities, words=dict(_content_words(sentence)))


def extract(docs: Iterable[AnnotatedDoc], nlp, settings: ClaimsSettings) -> list[FigureMention]:
    """Figure mentions of every document, in document order."""
    docs = list(docs)
    mentions: list[FigureMention] = []
    for doc, parsed in zip(docs, nlp.pipe(doc.text for doc in docs)):
        mentions.extend(figure_mentions(doc, parsed, settings))
    return mentions
