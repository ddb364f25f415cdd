"""Attribution beyond speech: intentions, positions, evaluations and states of mind.

- intention: "The governor plans to veto the measure" (CLAIM: the infinitive, "to" included), "urged the council
  to reject the contract" (object + infinitive), "Shareholders opposed the pay package" (a noun-phrase object, only
  when the subject can hold a position: "the beam supports the roof" is none);
- a verb with its preposition as one CUE: "have called for an independent inquiry", "warned of shortfalls";
- a passive with a "by" agent: "The proposal was rejected by the committee" (SOURCE the agent, CLAIM the subject);
- evaluation: "Critics called the plan a giveaway" (object + predicate), "likened the strike to a hostage situation";
- adjectives of belief and feeling: "Doctors are worried that ...", "came away convinced that ...".
Each needs the construction, not just the word, so an ambiguous lemma ("plans", "supports", "called") costs little
precision.
"""

from __future__ import annotations

from spacy.attrs import LOWER
from spacy.tokens import Doc, Token

from .context import Quotes, RoleSettings
from .model import Attribution, TokenRange
from .phrases import (CLAUSE_SUBJECTS, claim_clause, noun_phrase, quote_positions, sentence_bounds, subject_of,
                      token_positions, trim, verb_group)

_PERSONAL_PRONOUNS = {"i", "we", "you", "he", "she", "they", "it", "who"}
_AGENT_ENTITIES = {"PERSON", "ORG", "NORP", "GPE"}
_QUESTION_MARKS = {"whether", "if"}
_NOT_HOLDERS = {"it", "this", "that", "there", "which", "what"}


def is_agent(token: Token, settings: RoleSettings, documents: bool = False) -> bool:
    """Whether the noun can hold a plan, a wish or a position: a person or organisation entity, a proper noun, a
    personal pronoun, or a listed agent noun ("lawmakers", "the union"); with `documents`, also a document that
    states a position ("the letter warned of shortfalls", "the report backs the plan")."""
    if token.pos_ == "PRON":
        return token.lower_ in _PERSONAL_PRONOUNS
    if token.ent_type_ in _AGENT_ENTITIES or token.pos_ == "PROPN":
        return True
    nouns = settings.agent_nouns | settings.document_nouns if documents else settings.agent_nouns
    lemma = token.lemma_.lower()
    if lemma in nouns or token.lower_ in nouns:
        return True
    # People named for what they do: "ranchers", "lobbyists", "historians" (not "computers", `not_agent_nouns`).
    return (token.pos_ == "NOUN" and len(lemma) > 4 and lemma.endswith(tuple(settings.agent_suffixes))
            and lemma not in settings.not_agent_nouns)


def _child(token: Token, dep: str, word: str | None = None) -> Token | None:
    return next((c for c in token.children if c.dep_ == dep and (word is None or c.lower_ == word)), None)


def _is_infinitive(token: Token) -> bool:
    return token.pos_ in {"VERB", "AUX"} and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def infinitive_of(verb: Token) -> Token | None:
    """The head of the verb's "to" clause ("plans to veto …"), if any."""
    return next((c for c in verb.children if c.dep_ in {"xcomp", "ccomp"} and c.i > verb.i and _is_infinitive(c)),
                None)


def infinitive_claim(verb: Token) -> TokenRange | None:
    """ "plans to veto the measure", "urged the council to reject the contract": the "to" clause after the verb, with
    the object before it."""
    infinitive = infinitive_of(verb)
    if infinitive is None:
        return None
    if infinitive.tag_ == "VBN" and all(c.dep_ in {"aux", "auxpass", "neg"} for c in infinitive.children):
        return None  # "asked not to be named": a formula, no content
    start = infinitive.left_edge.i
    obj = _child(verb, "dobj")
    if obj is not None and verb.i < obj.i < infinitive.i:
        start = obj.left_edge.i
    return trim(verb.doc, start, infinitive.right_edge.i + 1, drop_complementizer=False)


def prepositional_cue(verb: Token, lemma: str, settings: RoleSettings) -> tuple[int, TokenRange] | None:
    """ "called for an inquiry", "warned of shortfalls", "called on the mayor to resign": the end of the CUE (verb and
    preposition) and the CLAIM (what follows the preposition)."""
    phrases = settings.prepositional_cues.get(lemma)
    if not phrases:
        return None
    doc = verb.doc
    for phrase in phrases:
        words = phrase.split()
        end = verb.i + 1 + len(words)
        if end > len(doc) or [t.lower_ for t in doc[verb.i + 1:end]] != words:
            continue
        prep = doc[end - 1]
        if prep.head.i != verb.i and prep.head.head.i != verb.i:
            continue
        last = prep.right_edge.i
        # "called on the mayor to resign": the infinitive may hang on the verb rather than on the preposition.
        infinitive = next((c for c in verb.children if c.i > last and _is_infinitive(c)), None)
        if infinitive is not None:
            last = infinitive.right_edge.i
        claim = trim(doc, end, last + 1, drop_complementizer=False)
        if claim is not None:
            return end, claim
    return None


def evidence_object_claim(verb: Token, subject: Token | None, settings: RoleSettings) -> TokenRange | None:
    """ "The figures show a steady rise in prices": a document's finding, stated as a noun phrase. Only with a
    document as subject: "he showed his badge" reports an act."""
    obj = _child(verb, "dobj")
    if (subject is None or obj is None or obj.i < verb.i or obj.pos_ == "PRON"
            or subject.lemma_.lower() not in settings.document_nouns):
        return None
    return noun_phrase(obj, exclude=verb, cut_nonrestrictive=True)


def naming_claim(verb: Token) -> TokenRange | None:
    """ "called the plan a giveaway to developers": the object and its predicate."""
    obj, predicate = _child(verb, "dobj"), _child(verb, "oprd")
    if obj is None or predicate is None or not verb.i < obj.i < predicate.i:
        return None
    # A judgement is an adjective or an indefinite description ("frivolous", "a giveaway"); a name ("called him
    # Bud") or "every name in the book" is none.
    determiner = next((c.lower_ for c in predicate.children if c.dep_ == "det"), None)
    superlative = any(c.tag_ == "JJS" for c in predicate.children)  # "called it the best stretch of her career"
    if not (predicate.pos_ == "ADJ" or (predicate.pos_ == "NOUN" and (determiner in {None, "a", "an"}
                                                                     or (determiner == "the" and superlative)))):
        return None
    return trim(verb.doc, obj.left_edge.i, predicate.right_edge.i + 1, drop_complementizer=False)


_MAX_NAMED_WORDS = 6
_NAMED_POS = {"DET", "ADJ", "NOUN", "PROPN", "PRON", "NUM", "PART"}
_MAX_QUOTED_WORDS = 15


def quoted_naming_claim(verb: Token) -> TokenRange | None:
    """ 'called the ruling "judicial activism at its worst."': a quoted predicate, which the small parser often
    takes for the object. The CLAIM runs from the object to the closing mark: a short noun phrase ("the ruling",
    "it"), then a quotation that closes within the sentence."""
    doc = verb.doc
    end = sentence_bounds(doc, verb.i)[1]
    marks = [i for i in quote_positions(doc) if verb.i + 1 < i < end + 1 and i < len(doc)]
    if len(marks) < 2:
        return None
    opening, closing = marks[0], marks[1]
    named = doc[verb.i + 1:opening]
    if len(named) > _MAX_NAMED_WORDS or closing - opening > _MAX_QUOTED_WORDS or not all(
            t.pos_ in _NAMED_POS or (t.pos_ == "VERB" and t.dep_ == "amod") for t in named):
        return None  # "called a vote on "…"": not a bare noun phrase before the quote
    if not named or not (named[-1].pos_ in {"NOUN", "PROPN", "PRON"} or named[-1].dep_ == "amod"):
        return None  # the phrase must end on its noun ("the ruling", which the parser may tag as a verb)
    words = [t for t in doc[opening + 1:closing] if t.is_alpha and t.pos_ not in {"DET", "ADP", "CCONJ"}]
    if all(t.text[:1].isupper() for t in words):
        return None  # 'called the stadium "the Fortress"': a name, not a judgement
    return verb.i + 1, closing + 1


def comparison_claim(verb: Token) -> TokenRange | None:
    """ "likened the strike to a hostage situation": the object and the "to" phrase ("compared X with Y" is mostly a
    measurement, not a judgement)."""
    obj = _child(verb, "dobj")
    prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "to"), None)
    if obj is None or prep is None or not verb.i < obj.i < prep.i or _child(prep, "pobj") is None:
        return None
    return trim(verb.doc, obj.left_edge.i, prep.right_edge.i + 1, drop_complementizer=False)


def agent_passive_claim(verb: Token) -> TokenRange | None:
    """ "The proposal was rejected by the committee", "a provision backed by rural legislators": the passive subject
    (or the noun the participle modifies) is what the agent took a position on."""
    subject = _child(verb, "nsubjpass")
    if subject is None and verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.pos_ in {"NOUN", "PROPN"}:
        subject = verb.head  # "a provision backed by rural legislators"
    if subject is None or subject.pos_ == "PRON" or _child(verb, "agent") is None:
        return None
    return noun_phrase(subject, exclude=verb)


def _adjective_content(adjective: Token, settings: RoleSettings) -> TokenRange | None:
    for child in adjective.children:
        if child.dep_ == "ccomp" and child.i > adjective.i and not any(
                m.dep_ == "mark" and m.lower_ in _QUESTION_MARKS for m in child.children) and (
                any(m.dep_ == "mark" and m.lower_ == "that" for m in child.children)
                or any(c.dep_ in CLAUSE_SUBJECTS for c in child.children)):
            return claim_clause(child)
    for child in adjective.children:
        # "worried about the shortage", but not "sure of himself": a pronoun object states nothing.
        if (child.dep_ == "prep" and child.i == adjective.i + 1 and child.lower_ in settings.cue_adjective_prepositions
                and any(c.dep_ == "pcomp" or (c.dep_ == "pobj" and c.pos_ != "PRON") for c in child.children)):
            return trim(adjective.doc, child.i + 1, child.right_edge.i + 1, drop_complementizer=False)
    return None


def adjective_attributions(doc: Doc, settings: RoleSettings, quotes: Quotes) -> list[Attribution]:
    """ "Doctors at the clinic are worried that the vaccine supply will run out": SOURCE the subject, CUE "are
    worried" (the adjective with "be" and its auxiliaries before it; after another verb, "came away convinced",
    the adjective alone), CLAIM the clause or the "about/over" object."""
    found = []
    # A hash lookup over the whole Doc, then Token objects only for the few hits.
    for index in token_positions(doc, settings.cue_adjectives, LOWER):
        adjective = doc[index]
        if adjective.pos_ not in {"ADJ", "VERB"}:
            continue
        if adjective.dep_ not in {"acomp", "advcl", "xcomp", "oprd"}:
            continue  # "a worried mother": a modifier states nothing
        host = adjective.head
        subject = subject_of(host)
        if subject is None or subject.lower_ in _NOT_HOLDERS:
            continue  # "It is certain that ...": an expletive holds nothing
        content = _adjective_content(adjective, settings)
        resolved = quotes.resolve(content, (adjective.i, adjective.i + 1)) if content is not None else None
        if resolved is None:
            continue
        start = adjective.i
        if host.lemma_ == "be" and host.i < adjective.i and adjective.dep_ == "acomp":
            start = verb_group(host)[0]
            if any(not (t.i == host.i or t.dep_ in {"advmod", "neg"}) for t in doc[host.i + 1:adjective.i]):
                start = adjective.i
        source = noun_phrase(subject, exclude=host)
        claim, direct = resolved
        found.append(Attribution(rule="adjective_clause", cue=(start, adjective.i + 1),
                                 score=settings.score("adjective_clause"), lemma=adjective.lower_, source=source,
                                 claims=(claim,), direct=(direct,)))
    return found
