"""Noun and adverb cues.

A noun cue takes a "that" clause: "his claim that CLAIM", "a statement from the ministry that CLAIM". The noun
alone is the CUE; the possessor or the "by/from/of" object is the SOURCE, or else the subject of the verb that has
the noun as its object ("the ministry issued a statement that ..."). An attribution adverb ("reportedly",
"allegedly") attributes the clause it modifies to an unnamed source; that clause, adverb included, is the CLAIM.
"""

from __future__ import annotations

from spacy.tokens import Token

from .context import Quotes, RoleSettings
from .model import Attribution, TokenRange
from .phrases import RELATIVIZERS, claim_clause, noun_phrase, subject_of, trim
from .reporting import stranded_complement

_SOURCE_PREPOSITIONS = {"by", "from", "of", "among"}
_HOLDER_PREPOSITIONS = {"by", "from", "among"}
_OBJECT_PREPOSITIONS = {"over", "about", "against", "of"}


def _possessor(noun: Token) -> TokenRange | None:
    for child in noun.children:
        if child.dep_ == "poss":
            found = noun_phrase(child)
            if found is None:
                return None
            start, end = found
            # The possessive marker is not part of the source: "Russia's claim" -> "Russia".
            while end > start and noun.doc[end - 1].tag_ == "POS":
                end -= 1
            return (start, end) if start < end else None
    return None


_CLAUSE_DEPS = {"acl", "ccomp", "appos", "relcl"}
_COMPLETE = {"auxpass", "dobj", "attr", "acomp", "ccomp", "xcomp", "oprd"}


def _content_clause(child: Token) -> bool:
    """A clause that states the noun's content: "claims that X", or without "that" a clause with its own subject
    and nothing missing ("reports they were withdrawn"), unlike a relative clause ("reports he wrote")."""
    if child.dep_ not in _CLAUSE_DEPS:
        return False
    if any(m.dep_ == "mark" and m.lower_ == "that" for m in child.children):
        return True
    subject = next((c for c in child.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None or subject.lower_ in RELATIVIZERS or subject.tag_ in {"WDT", "WP"}:
        return False
    return any(c.dep_ in _COMPLETE for c in child.children)


def _verb_takes_clause(noun: Token, content: Token, settings: RoleSettings) -> bool:
    """ "said in a statement that ...": the clause is the reporting verb's, and the noun is its SUPPLEMENT."""
    verb = noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else None
    if verb is None or verb.lemma_.lower() not in settings.reporting_verbs:
        return False
    clause = stranded_complement(verb, settings)
    return clause is not None and clause.i == content.i


def _holder(noun: Token, prepositions: set[str], before: int | None = None) -> TokenRange | None:
    """The noun's possessor, or the object of its "by/from/among" phrase: "the senator's claim", "a protest from
    parents' groups", "concern among economists"."""
    source = _possessor(noun)
    if source is not None:
        return source
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in prepositions and (before is None or child.i < before):
            pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                return noun_phrase(pobj)
    return None


def _object_attribution(noun: Token, settings: RoleSettings) -> Attribution | None:
    """ "a protest from parents' groups over the closure": with a stated holder, the object of "over/about/against/
    of" is the CLAIM. Without one ("reports of casualties", "allegations of fraud") the noun names only a topic."""
    source = _holder(noun, _HOLDER_PREPOSITIONS)
    if source is None or noun.lemma_.lower() in settings.infinitive_nouns:
        return None  # "a call from residents about noise": an intention noun's content is its "to" clause

    def content_prep(head: Token) -> Token | None:
        return next((c for c in head.children if c.dep_ == "prep" and c.i > noun.i and c.lower_ in _OBJECT_PREPOSITIONS
                     and any(g.dep_ in {"pobj", "pcomp"} for g in c.children)), None)

    prep = content_prep(noun)
    if prep is None:
        # "complaints from tenants over the rent increase": the parser may hang the phrase on the holder.
        holder = next((t for t in noun.doc[source[0]:source[1]] if t.dep_ == "pobj" and t.head.head.i == noun.i), None)
        prep = content_prep(holder) if holder is not None else None
        if prep is not None and source[0] < prep.i < source[1]:
            source = trim(noun.doc, source[0], prep.i, drop_complementizer=False)
    if prep is None or source is None or source[0] <= prep.i < source[1]:
        return None
    claim = trim(noun.doc, prep.i + 1, prep.right_edge.i + 1, drop_complementizer=False)
    if claim is None:
        return None
    return Attribution(rule="noun_clause", cue=(noun.i, noun.i + 1), score=settings.score("noun_clause"),
                       lemma=noun.lemma_.lower(), source=source, claims=(claim,), direct=(False,))


def _issuer(noun: Token, settings: RoleSettings) -> TokenRange | None:
    """ "the ministry issued a statement that ...": the issuer is the source. Not so when the verb is itself a cue:
    who "denied reports that ..." did not make the reports."""
    if noun.dep_ == "dobj" and noun.head.lemma_.lower() not in settings.reporting_verbs:
        subject = subject_of(noun.head)
        if subject is not None and subject.pos_ not in {"VERB", "AUX"}:
            return noun_phrase(subject, exclude=noun.head)
    return None


def _infinitive_attribution(noun: Token, settings: RoleSettings) -> Attribution | None:
    """ "the governor's plan to raise the gas tax", "The mayor unveiled a plan to build 500 homes": an intention
    noun with a "to" clause and a holder (possessor, "by/from" phrase, or the subject of the verb it is the object
    of). Without a holder ("a plan to build homes") nobody is named as intending anything."""
    if noun.lemma_.lower() not in settings.infinitive_nouns:
        return None
    infinitive = next((c for c in noun.children if c.dep_ == "acl" and c.i > noun.i
                       and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None)
    if infinitive is None:
        return None
    source = _holder(noun, _HOLDER_PREPOSITIONS, before=infinitive.i) or _issuer(noun, settings)
    claim = trim(noun.doc, infinitive.left_edge.i, infinitive.right_edge.i + 1, drop_complementizer=False)
    if source is None or claim is None:
        return None
    return Attribution(rule="noun_clause", cue=(noun.i, noun.i + 1), score=settings.score("noun_clause"),
                       lemma=noun.lemma_.lower(), source=source, claims=(claim,), direct=(False,))


def noun_attribution(noun: Token, settings: RoleSettings, quotes: Quotes) -> Attribution | None:
    content = next((child for child in noun.children if child.i > noun.i and _content_clause(child)), None)
    if content is None:
        return _infinitive_attribution(noun, settings) or _object_attribution(noun, settings)
    if _verb_takes_clause(noun, content, settings):
        return None
    found = claim_clause(content)
    if found is None:
        return None
    resolved = quotes.resolve(found, (noun.i, noun.i + 1))
    if resolved is None:
        return None
    claim, direct = resolved
    source = _holder(noun, _SOURCE_PREPOSITIONS, before=content.i) or _issuer(noun, settings)
    return Attribution(rule="noun_clause", cue=(noun.i, noun.i + 1), score=settings.score("noun_clause"),
                       lemma=noun.lemma_.lower(), source=source, claims=(claim,), direct=(direct,))


def adverb_attribution(adverb: Token, settings: RoleSettings, quotes: Quotes) -> Attribution | None:
    host = adverb.head
    if host.pos_ not in {"VERB", "AUX"} or host.i == adverb.i:
        return None
    found = trim(adverb.doc, host.left_edge.i, host.right_edge.i + 1)
    if found is None:
        return None
    resolved = quotes.resolve(found, (adverb.i, adverb.i + 1))
    if resolved is None:
        return None
    claim, direct = resolved
    return Attribution(rule="adverb", cue=(adverb.i, adverb.i + 1), score=settings.score("adverb"),
                       lemma=adverb.lower_, claims=(claim,), direct=(direct,))
