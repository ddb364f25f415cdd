"""Reporting verbs: "X said (that) CLAIM", "CLAIM, X told Y", passives, "as" and figure constructions,
"no comment" and refusals.

The verb's subject is the SOURCE (the agent of a passive), its clausal complement the CLAIM, the object of "tell"
and a medium, venue or "to" phrase are SUPPLEMENTs. Other complements, tried in order when there is no clause:
- "quoted X as saying CLAIM" (outer claim "X as saying CLAIM"; the inner attribution comes from "saying");
- a raising passive: "The troops were seen to have been sent …" (CLAIM: the infinitive clause, no SOURCE);
- "views/criticised … as CLAIM";
- "put X at FIGURE";
- a gerund ("reported capturing …") or a noun-phrase object ("announced the capture of …") for verbs that take one;
- a verbless headline complement ("Ukraine says North Korean troops back on front line").
A verb with none of these is kept as *pending*, with its source: the quote rules may still give it a quotation.
A negated reporting verb is a "no comment" (SOURCE and CUE only), except belief verbs, which keep their claim, and
knowledge verbs ("did not know that"), which are not an attribution at all.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .constructions import (agent_passive_claim, comparison_claim, evidence_object_claim, infinitive_claim,
                            infinitive_of, is_agent, naming_claim, prepositional_cue, quoted_naming_claim)
from .context import Quotes, RoleSettings
from .model import Attribution, TokenRange
from .phrases import (CLAUSE_SUBJECTS, RELATIVIZERS, claim_clause, inherited_subject, noun_phrase, right_spine,
                      sentence_bounds, subject_of, trim, verb_group)

PENDING = "pending"
NO_COMMENT = "no_comment"
_NEGATIVE_SUBJECT_WORDS = {"no", "neither", "nobody", "none"}
_END_PUNCT = {".", "!", "?", "”", '"', "’", "'", ":", ";", "…"}
_NOT_SUPPLEMENT_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
_VENUE_ENTS = {"GPE", "LOC", "FAC"}
_VENUE_PREPOSITIONS = {"in", "at"}
_FIGURE_ENTS = {"CARDINAL", "QUANTITY", "PERCENT", "MONEY"}
# An embedded question ("asked whether troops would be sent") reports a question, not a proposition anyone holds.
_QUESTION_MARKS = {"whether", "if"}


def is_negated(verb: Token, subject: Token | None) -> bool:
    if any(child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ == "never") for child in verb.children):
        return True
    if subject is not None:
        return any(token.lower_ in _NEGATIVE_SUBJECT_WORDS
                   and (token.dep_ in {"det", "preconj"} or token.i == subject.i) for token in subject.subtree)
    return False


def source_token(verb: Token, passive: bool) -> Token | None:
    """The word heading the SOURCE: the subject, the agent of a passive, or the noun a relative clause modifies."""
    if passive or (verb.tag_ == "VBN" and verb.dep_ == "acl"):
        for child in verb.children:
            if child.dep_ == "agent":
                return next((grandchild for grandchild in child.children if grandchild.dep_ == "pobj"), None)
        return None
    subject = subject_of(verb) or inherited_subject(verb)
    if subject is None and any(child.dep_ == "ccomp" and child.i < verb.i for child in verb.children):
        # '"…," admitted one farmer': after fronted content the parser may take the inverted subject for an object.
        subject = next((child for child in verb.children if child.dep_ == "dobj" and child.i > verb.i), None)
    if subject is None and verb.dep_ == "pcomp" and verb.head.lower_ == "as":
        # "The newspaper quoted US officials as saying ...": the quoted object speaks; in the passive ("The
        # general was quoted as saying ...") the subject does.
        return next((child for child in verb.head.head.children if child.dep_ in {"dobj", "nsubjpass"}), None)
    if subject is None:
        return None
    if subject.lower_ in RELATIVIZERS and verb.dep_ == "relcl":
        return verb.head
    if subject.pos_ in {"VERB", "AUX", "SCONJ"}:
        return None
    return subject


def source_phrase(head: Token, verb: Token) -> TokenRange | None:
    """The SOURCE noun phrase. One repair for a known misparse: "In an interview with X, published on DATE, NAME
    said" hangs NAME as an apposition under X; a PERSON apposition after a participle clause is the speaker."""
    if head.ent_type_ != "PERSON":
        children = list(head.children)
        appositions = [c for c in children if c.dep_ == "appos" and c.ent_type_ == "PERSON" and c.i > head.i]
        if appositions and any(c.dep_ == "acl" and c.tag_ == "VBN" and head.i < c.i < appositions[0].i
                               for c in children):
            return noun_phrase(appositions[0], exclude=verb)
    return noun_phrase(head, exclude=verb)


def prepositional_supplement(prep: Token) -> TokenRange | None:
    """A supplement phrase is the whole prepositional phrase, preposition and anything inside included."""
    return trim(prep.doc, prep.i, prep.right_edge.i + 1, drop_complementizer=False)


def supplements(verb: Token, lemma: str, settings: RoleSettings, before: int | None = None) -> list[TokenRange]:
    """Recipients ("told the BBC", "declared to the BBC"), media ("In a video address on Friday") and venues
    ("in Davos, Switzerland"). Bare time expressions never. A phrase is cut at `before`, the start of a
    complement clause the parser hung inside it."""
    found: list[TokenRange] = []
    for child in verb.children:
        phrase = None
        if child.dep_ == "dative" or (child.dep_ == "dobj" and lemma in settings.recipient_verbs):
            phrase = noun_phrase(child, exclude=verb)
        elif child.dep_ == "prep":
            pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if pobj is None or pobj.ent_type_ in _NOT_SUPPLEMENT_ENTS:
                continue
            word = child.lower_
            if word == "to" and child.i > verb.i and lemma not in settings.raising_verbs:
                phrase = prepositional_supplement(child)
            elif word in settings.medium_prepositions and pobj.lemma_.lower() in settings.medium_nouns:
                phrase = prepositional_supplement(child)
            elif word in _VENUE_PREPOSITIONS and pobj.ent_type_ in _VENUE_ENTS:
                phrase = prepositional_supplement(child)
        if phrase is not None and before is not None and phrase[0] < before < phrase[1]:
            phrase = trim(verb.doc, phrase[0], before)
        if phrase is not None:
            found.append(phrase)
    return found


def _headline_object(verb: Token) -> Token | None:
    """'Ukraine says North Korean troops back on front line': a verbless complement parsed as an object."""
    if verb.dep_ != "ROOT":
        return None
    start, end = sentence_bounds(verb.doc, verb.i)
    last = next((t for t in reversed(verb.doc[start:end]) if t.text.strip()), None)
    if last is None or last.text in _END_PUNCT:
        return None
    obj = next((child for child in verb.children if child.dep_ == "dobj"), None)
    if obj is None or obj.pos_ == "PRON" or obj.right_edge.i - obj.left_edge.i < 2:
        return None
    return obj


def _extend_to_sentence_end(verb: Token, claim: TokenRange, cue_positions: frozenset[int]) -> TokenRange:
    """A claim after its cue runs to the end of the sentence when all that follows hangs off the cue verb's
    clause (a coordinated clause or an adverbial the parser attached too high) and holds no other cue:
    "quoted US officials as saying the withdrawal may not be permanent, and the soldiers could return ..."."""
    doc = verb.doc
    end = sentence_bounds(doc, verb.i)[1]
    if claim[1] >= end:
        return claim
    chain = {verb.i}
    current = verb
    while current.head.i != current.i and current.dep_ in {"pcomp", "prep", "xcomp", "advcl"}:
        current = current.head
        chain.add(current.i)
    rest = [t for t in doc[claim[1]:end] if not (t.is_punct or t.is_space)]
    if not rest or any(t.i in cue_positions for t in rest):
        return claim
    tops = {t.i for t in rest if t.head.i in chain}
    if not tops or any(doc[i].dep_ not in {"conj", "cc", "advcl", "prep", "npadvmod"} for i in tops):
        return claim
    if not all(any(ancestor.i in tops for ancestor in [t, *t.ancestors]) for t in rest):
        return claim
    extended = trim(doc, claim[0], end)
    return extended if extended is not None else claim


def _cut_other_attributions(complement: Token, claim: TokenRange, cue_positions: frozenset[int]) -> TokenRange | None:
    """A claim ends before a trailing part, set off by punctuation or a conjunction, that carries an attribution of
    its own: "its forces captured a key town – but a Ukrainian military spokesman said …", "…, after reports they
    were withdrawn …"."""
    doc = complement.doc
    start, end = claim
    for token in right_spine(complement, end):
        left = token.left_edge.i
        if token.dep_ not in {"conj", "prep", "advcl"} or not start < left < end:
            continue
        before = doc[left - 1]
        if (before.is_punct or before.dep_ == "cc") and any(left <= i <= token.right_edge.i for i in cue_positions):
            end = left
            break
    return trim(doc, start, end) if end < claim[1] else claim


def _child(token: Token, dep: str, word: str | None = None) -> Token | None:
    return next((child for child in token.children if child.dep_ == dep and (word is None or child.lower_ == word)),
                None)


def _quoted_as(verb: Token, cue_positions: frozenset[int]) -> TokenRange | None:
    """"The newspaper quoted US officials as saying CLAIM": the outer claim is the inner attribution, "US officials
    as saying CLAIM"; the inner one (SOURCE "US officials", CUE "saying") is found from "saying" itself."""
    obj, prep = _child(verb, "dobj"), _child(verb, "prep", "as")
    if obj is None or prep is None or prep.i < obj.i:
        return None
    inner = next((child for child in prep.children if child.dep_ == "pcomp" and child.tag_ == "VBG"), None)
    complement = _child(inner, "ccomp") if inner is not None else None
    inner_claim = claim_clause(complement) if complement is not None else None
    if inner_claim is None:
        return None
    inner_claim = _extend_to_sentence_end(inner, inner_claim, cue_positions)
    return trim(verb.doc, obj.left_edge.i, inner_claim[1], drop_complementizer=False)


def _as_complement(verb: Token) -> tuple[TokenRange, Token] | None:
    """"which Zelensky views as a strategic advantage", "criticized by Kyiv as a dangerous escalation", and with an
    adjective the parser hangs on the object: 'described the claims as “absurd”'."""
    prep = _child(verb, "prep", "as")
    obj = _child(verb, "dobj")
    if prep is None and obj is not None:
        prep = _child(obj, "prep", "as")
    if prep is None:
        # 'described the report as deeply flawed': an adjective clause that "as" opens.
        for clause in verb.children:
            marker = next((c for c in clause.children if c.lower_ == "as" and c.i == clause.left_edge.i), None)
            if clause.dep_ in {"advcl", "xcomp", "oprd"} and clause.i > verb.i and marker is not None:
                found = trim(verb.doc, marker.i + 1, clause.right_edge.i + 1, drop_complementizer=False)
                return (found, marker) if found is not None else None
        return None
    pobj = _child(prep, "pobj")
    if pobj is not None:
        found = noun_phrase(pobj)
    elif any(child.dep_ in {"amod", "acomp"} and child.pos_ == "ADJ" for child in prep.children):
        found = trim(verb.doc, prep.i + 1, prep.right_edge.i + 1, drop_complementizer=False)
    else:
        return None
    return (found, prep) if found is not None else None


_CHARGE_PREPOSITIONS = {"of", "for", "with"}


def _charge(verb: Token) -> TokenRange | None:
    """"Moscow accused Kyiv of shelling the plant": the accused and what they are accused of."""
    obj = _child(verb, "dobj")
    if obj is None:
        return None
    # The parser hangs the phrase on the verb or on its object ("accused [the agency of hiding ...]").
    prep = next((c for c in [*verb.children, *obj.children]
                 if c.dep_ == "prep" and c.lower_ in _CHARGE_PREPOSITIONS and c.i > obj.i), None)
    if prep is None or not any(c.dep_ in {"pobj", "pcomp"} for c in prep.children):
        return None
    return trim(verb.doc, obj.left_edge.i, prep.right_edge.i + 1, drop_complementizer=False)


def _figure(verb: Token) -> TokenRange | None:
    """"Zelensky put Ukraine's military casualties at 45,100": the object and the figure."""
    obj, prep = _child(verb, "dobj"), _child(verb, "prep", "at")
    pobj = _child(prep, "pobj") if prep is not None else None
    if obj is None or pobj is None or prep.i < obj.i or not (pobj.ent_type_ in _FIGURE_ENTS or pobj.like_num):
        return None
    return trim(verb.doc, obj.left_edge.i, pobj.right_edge.i + 1, drop_complementizer=False)


def verb_attribution(verb: Token, lemma: str, settings: RoleSettings, quotes: Quotes,
                     cue_positions: frozenset[int] = frozenset()) -> Attribution | None:
    if verb.dep_ in settings.ignore_dependencies:
        return None
    if lemma == "point" and _child(verb, "prt", "out") is None:
        return None
    passive = _child(verb, "auxpass") is not None
    participle = verb.tag_ == "VBN" and verb.dep_ == "acl"  # "– never officially confirmed by Moscow –"
    if participle and _child(verb, "agent") is None:
        return None  # "the troops sent", "reports attributed to": modifiers, not reports
    reporting = lemma in settings.reporting_verbs
    cue = verb_group(verb)
    subject = subject_of(verb)
    head = source_token(verb, passive)
    source = source_phrase(head, verb) if head is not None else None
    ccomps = [child for child in verb.children if child.dep_ == "ccomp" and not _is_embedded_question(child)
              ] if reporting else []
    stranded = stranded_complement(verb, settings) if reporting and not ccomps else None
    if stranded is not None:
        ccomps = [stranded]
    supplements_found = tuple(supplements(verb, lemma, settings, before=stranded.left_edge.i if stranded else None))

    def attribution(rule: str, claims: list[tuple[TokenRange, bool]], cue_range: TokenRange = cue,
                    with_source: bool = True) -> Attribution:
        # A "to" phrase inside the claim ("likened the strike to a hostage situation") is content, not a recipient.
        # (A claim around a parenthetical cue, "The deal, he told the FT, was ...", keeps the cue's supplements.)
        kept = tuple(p for p in supplements_found if not any(
            p[0] < c[1] and c[0] < p[1] and not c[0] <= cue_range[0] < c[1] for c, _ in claims))
        return Attribution(rule=rule, cue=cue_range, score=settings.score(rule), lemma=lemma,
                           source=source if with_source else None, claims=tuple(c for c, _ in claims),
                           direct=tuple(d for _, d in claims), supplements=kept)

    if reporting and (neither := _neither_nor(verb)) is not None:
        # "has neither confirmed nor denied …": one refusal over both verbs.
        if neither < 0 or source is None:
            return None  # the second verb of the pair: its first verb speaks for both
        start = min([cue[0]] + [c.i for c in verb.children if c.dep_ in {"aux", "preconj"} and c.i < verb.i])
        return Attribution(rule=NO_COMMENT, cue=(start, neither), score=settings.score(NO_COMMENT), lemma=lemma,
                           source=source, negated=True)
    if lemma in settings.inanimate_subject_verbs and (head is None or is_agent(head, settings)):
        return None  # "The memo reads: ..." is a cue; "She reads the report" is not
    agent_subject = head is not None and is_agent(head, settings, documents=True)
    if reporting and is_negated(verb, subject):
        if lemma in settings.unmarked_when_negated:
            return None  # "they did not know that ...": no one holds the content
        if lemma in settings.belief_verbs and not ccomps and not settings.of_kind(lemma, "communication") and (
                infinitive_claim(verb) is None):
            return None  # "did not back the plan": a negated position states nothing
        if not (lemma in settings.belief_verbs and (ccomps or infinitive_claim(verb) is not None)):
            # A refusal or non-statement: SOURCE and CUE, no claim, no links.
            if source is None:
                return None
            return Attribution(rule=NO_COMMENT, cue=cue, score=settings.score(NO_COMMENT), lemma=lemma,
                               source=source, negated=True)
    if ccomps:
        claims = []
        for complement in ccomps:
            found = claim_clause(complement)
            if found is not None:
                found = _cut_other_attributions(complement, found, cue_positions)
            if found is not None and found[0] > verb.i and not passive:
                found = _extend_to_sentence_end(verb, found, cue_positions)
                found = _without_leading_time(verb.doc, found, cue)
                found = _with_fronted_subject(verb, complement, found)
            resolved = quotes.resolve(found, cue) if found is not None else None
            if resolved is not None:
                claims.append(resolved)
        if claims:
            rule = "passive_clause" if passive else ("verb_quote" if claims[0][1] else "verb_clause")
            return attribution(rule, claims)
    if reporting and (found := _quoted_as(verb, cue_positions)) is not None:
        return attribution("verb_clause", [(found, False)])
    if passive and lemma in settings.raising_verbs:
        infinitive = next((c for c in verb.children if c.dep_ == "xcomp" and _child(c, "aux", "to") is not None), None)
        if infinitive is not None and (found := trim(verb.doc, infinitive.left_edge.i, infinitive.right_edge.i + 1,
                                                      drop_complementizer=False)) is not None:
            resolved = quotes.resolve(found, cue)
            if resolved is not None:
                return attribution("passive_clause", [resolved])
    if lemma in settings.as_verbs and (as_claim := _as_complement(verb)) is not None:
        found, prep = as_claim
        resolved = quotes.resolve(found, cue)
        if resolved is not None:
            cue_range = (cue[0], prep.i + 1) if prep.i == cue[1] else cue
            return attribution("verb_object", [resolved], cue_range)
    if lemma in settings.figure_verbs and not passive and (found := _figure(verb)) is not None:
        return attribution("verb_object", [(found, False)])
    if lemma in settings.charge_verbs and not passive and (found := _charge(verb)) is not None:
        resolved = quotes.resolve(found, cue)
        if resolved is not None:
            return attribution("verb_object", [resolved])
    if (found := _broader_claim(verb, lemma, settings, passive, head, agent_subject,
                                         cue_positions)) is not None:
        rule, claim, cue_range = found
        resolved = quotes.resolve(claim, cue)
        if resolved is not None:
            return attribution(rule, [resolved], cue_range or cue)
    if not reporting:
        return None
    if passive:
        return None  # "X is said to …" with no clause, "the deployment was criticised": nothing to attribute
    as_clause = (verb.dep_ == "advcl" and _child(verb, "mark", "as") is not None and subject is not None
                 and _child(verb, "dobj") is None)
    if (verb.dep_ == "parataxis" or as_clause) and verb.head.pos_ in {"VERB", "AUX"}:
        # "The war, he said, will end soon", "As the mayor noted, the city is broke": the clause around the
        # parenthetical, cut at it when it sits at an edge.
        host = verb.head
        found = claim_clause(host, exclude=(verb.left_edge.i, verb.right_edge.i + 1))
        resolved = quotes.resolve(found, cue) if found is not None else None
        if resolved is not None:
            return attribution("verb_quote" if resolved[1] else "verb_clause", [resolved])
    position = settings.of_kind(lemma, "intention")
    # "is expected to announce the plan", "urged the council to reject the contract": an act still to come is the
    # content of another attribution, not a statement or position of its own.
    if lemma in settings.object_claim_verbs and not _is_to_infinitive(verb) and not (position and not agent_subject):
        gerund = next((c for c in verb.children if c.dep_ == "xcomp" and c.tag_ == "VBG"), None)
        obj = _child(verb, "dobj")
        found = None
        if gerund is not None:
            found = trim(verb.doc, gerund.left_edge.i, gerund.right_edge.i + 1)
        elif obj is not None and obj.pos_ != "PRON" and not (position and _counted(obj)):
            found = noun_phrase(obj, exclude=verb, cut_nonrestrictive=True)
        resolved = quotes.resolve(found, cue) if found is not None and found[1] - found[0] >= 2 else None
        if resolved is not None:
            return attribution("verb_object", [resolved])
    elif lemma == "say" and (obj := _headline_object(verb)) is not None:
        found = noun_phrase(obj, exclude=verb)
        if found is not None:
            return attribution("headline_object", [(found, False)])
    if source is None or not any(settings.of_kind(lemma, kind) for kind in ("communication", "cognition", "evidence")):
        return None  # only speech, thought and documents may still take a quotation from the quote rules
    return Attribution(rule=PENDING, cue=cue, score=0.0, lemma=lemma, source=source, supplements=supplements_found)


_TIME_ENTS = {"DATE", "TIME"}


def _without_leading_time(doc: Doc, claim: TokenRange, cue: TokenRange) -> TokenRange:
    """ "said on Tuesday it would send more aid": the parser may hang the cue's time phrase on the complement; a
    bare time phrase right after the cue is not part of what was said."""
    start, end = claim
    prep = doc[start]
    if start != cue[1] or prep.pos_ != "ADP" or prep.right_edge.i + 1 >= end:
        return claim
    phrase = doc[start + 1:prep.right_edge.i + 1]
    if not phrase or not all(t.ent_type_ in _TIME_ENTS or t.is_punct for t in phrase):
        return claim
    return trim(doc, prep.right_edge.i + 1, end) or claim


def _counted(noun: Token) -> bool:
    """ "supports hundreds of suppliers", "backs 3,000 jobs": a position is taken on a plan, not on a count."""
    return any(t.like_num or t.ent_type_ in _FIGURE_ENTS or t.lower_ in {"hundreds", "thousands", "millions",
                                                                             "dozens"} for t in noun.subtree)


def _is_to_infinitive(verb: Token) -> bool:
    """ "urged the council to reject the contract": the rejection is the urging's content, not a position held."""
    return _child(verb, "aux", "to") is not None


def _broader_claim(verb: Token, lemma: str, settings: RoleSettings, passive: bool, subject: Token | None,
                   agent_subject: bool, cue_positions: frozenset[int]
                   ) -> tuple[str, TokenRange, TokenRange | None] | None:
    """Intention, position and evaluation constructions (constructions.py): (rule, CLAIM, CUE if not the verb group)."""
    if passive or (verb.tag_ == "VBN" and verb.dep_ == "acl"):
        agent = source_token(verb, passive=True)
        if (agent is not None and is_agent(agent, settings, documents=True) and lemma in settings.object_claim_verbs
                and (claim := agent_passive_claim(verb)) is not None):
            return "verb_object", claim, None
        return None
    if settings.of_kind(lemma, "evidence") and (claim := evidence_object_claim(verb, subject, settings)) is not None:
        return "verb_object", claim, None
    # "called X Y" is specific enough to need only a subject ("The striker called the final the biggest game …").
    if lemma in settings.naming_verbs and subject is not None and (
            claim := naming_claim(verb) or quoted_naming_claim(verb)) is not None:
        return "evaluation", claim, None
    if not agent_subject:
        return None
    if (prepositional := prepositional_cue(verb, lemma, settings)) is not None:
        end, claim = prepositional
        return "intention", claim, (verb_group(verb)[0], end)
    intends = settings.of_kind(lemma, "intention") or settings.of_kind(lemma, "cognition")
    if intends and subject is not None and is_agent(subject, settings) and (
            claim := infinitive_claim(verb)) is not None:
        # "plans to buy back stock and expects margins to recover": a coordinated cue ends the claim.
        return "intention", _cut_other_attributions(infinitive_of(verb), claim, cue_positions) or claim, None
    if lemma in settings.comparison_verbs and (claim := comparison_claim(verb)) is not None:
        return "evaluation", claim, None
    return None


def stranded_complement(verb: Token, settings: RoleSettings) -> Token | None:
    """A "that" clause the parser hung on the verb's object or on a noun in its prepositional phrase: "told analysts
    on a call that demand had weakened", "said in a statement that ...". A real relative clause has "that" as its
    subject or object, never as its marker, so a marked relative clause with a subject of its own is the verb's
    complement; so is a content clause on a medium noun ("in a statement that"). A content clause on an object
    ("denied reports that ...") belongs to the noun and is left to the noun-cue rule."""
    hosts = [(child, False) for child in verb.children if child.dep_ in {"dobj", "dative"} and child.i > verb.i]
    hosts += [(pobj, child.lower_ in settings.medium_prepositions and pobj.lemma_.lower() in settings.medium_nouns)
              for child in verb.children if child.dep_ == "prep" and child.i > verb.i
              for pobj in child.children if pobj.dep_ == "pobj"]
    recipient = verb.lemma_.lower() in settings.recipient_verbs
    for noun, medium in hosts:
        for clause in noun.children:
            if clause.i < noun.i or not (clause.dep_ == "relcl" or (medium and clause.dep_ == "acl")):
                continue
            subject = next((c for c in clause.children if c.dep_ in CLAUSE_SUBJECTS), None)
            if subject is None:
                continue
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children):
                return clause
            # "told the court he had acted in self-defense": after a recipient, a clause with a pronoun subject of
            # its own is what was told (a relative clause on a person would start with "who" or "that").
            if (recipient and subject.i == noun.i + 1 and subject.pos_ == "PRON"
                    and subject.lower_ not in RELATIVIZERS):
                return clause
    return None


def _with_fronted_subject(verb: Token, complement: Token, claim: TokenRange) -> TokenRange:
    """'The deal, he told the FT, was “the best we could get”': the parser hangs the fronted subject on the cue and
    leaves the complement without one. Like "The war, he said, would not end", the CLAIM then runs from the fronted
    subject, over the parenthetical cue, to the end of the complement."""
    if any(child.dep_ in CLAUSE_SUBJECTS for child in complement.children):
        return claim
    subject = subject_of(verb)
    fronted = next((child for child in verb.children if child.dep_ == "dep" and child.pos_ in {"NOUN", "PROPN"}
                    and child.i < verb.i and (subject is None or child.i < subject.i)), None)
    if fronted is None or not any(t.text == "," for t in verb.doc[fronted.right_edge.i + 1:verb.i]):
        return claim
    return fronted.left_edge.i, claim[1]


def _neither_nor(verb: Token) -> int | None:
    """For the first verb of "neither X nor Y", where the pair ends; -1 for the second verb; None otherwise."""
    if _child(verb, "preconj", "neither") is not None:
        partner = next((c for c in verb.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}), None)
        return partner.i + 1 if partner is not None else None
    if verb.dep_ == "conj" and _child(verb.head, "preconj", "neither") is not None:
        return -1
    return None


def _is_embedded_question(clause: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ in _QUESTION_MARKS for child in clause.children)


def _dobj_end(verb: Token) -> int | None:
    """End of "provide a definitive response" / "giving any details": the object up to its head noun."""
    obj = _child(verb, "dobj")
    return obj.i + 1 if obj is not None else None


def refusal_attribution(verb: Token, settings: RoleSettings) -> Attribution | None:
    """'X declined to comment', 'X declined to provide a definitive response': SOURCE and CUE, no claim.
    The CUE runs from the refusal verb to the speech verb, or to the head of its object ("response")."""
    complement = _child(verb, "xcomp")
    if complement is None:
        return None
    lemma = complement.lemma_.lower()
    end = None
    if lemma in settings.refusal_complements:
        end = complement.i + 1
    elif (obj := _child(complement, "dobj")) is not None and obj.lemma_.lower() in settings.refusal_objects:
        end = obj.i + 1
    if end is None:
        return None
    head = source_token(verb, passive=False)
    source = noun_phrase(head, exclude=verb) if head is not None else None
    if source is None:
        return None
    return Attribution(rule=NO_COMMENT, cue=(verb_group(verb)[0], end), score=settings.score(NO_COMMENT),
                       lemma=verb.lemma_.lower(), source=source, negated=True)


def without_attribution(word: Token, settings: RoleSettings) -> Attribution | None:
    """'…, without giving any details about …': a refusal inside another statement. The SOURCE is the subject of
    the sentence's main clause."""
    gerund = _child(word, "pcomp")
    if gerund is None or gerund.tag_ != "VBG" or gerund.lemma_.lower() not in settings.refusal_without_verbs:
        return None
    obj = _child(gerund, "dobj")
    if obj is None or obj.lemma_.lower() not in settings.refusal_objects:
        return None
    current = word.head
    while current.dep_ in {"ccomp", "xcomp", "advcl", "conj", "pcomp", "prep"} and current.head.i != current.i:
        current = current.head
    head = subject_of(current)
    source = noun_phrase(head, exclude=current) if head is not None else None
    if source is None:
        return None
    return Attribution(rule=NO_COMMENT, cue=(word.i, obj.i + 1), score=settings.score(NO_COMMENT), lemma="without",
                       source=source, negated=True)
