"""Reporting verbs: "X said (that) CLAIM", "CLAIM, X told Y", passives, "as" and figure constructions,
and a negated verb's "no comment" (refusals.py has "declined to comment").

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

from spacy.tokens import Doc, Span, Token

from ..context import Quotes, RoleSettings
from ..model import Attribution, Rule, TokenRange
from ..phrases import (CLAUSE_SUBJECTS, RELATIVIZERS, child_with, claim_clause, inherited_subject, noun_phrase,
                       right_spine, sentence_bounds, subject_of, trim, verb_group)
from .constructions import (agent_passive_claim, comparison_claim, evidence_object_claim, infinitive_claim,
                            infinitive_of, is_agent, naming_claim, prepositional_cue, quoted_naming_claim)

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
            elif word in settings.medium_prepositions and _is_medium(pobj, settings):
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


def _quoted_as(verb: Token, cue_positions: frozenset[int]) -> TokenRange | None:
    """"The newspaper quoted US officials as saying CLAIM": the outer claim is the inner attribution, "US officials
    as saying CLAIM"; the inner one (SOURCE "US officials", CUE "saying") is found from "saying" itself."""
    obj, prep = child_with(verb, "dobj"), child_with(verb, "prep", "as")
    if obj is None or prep is None or prep.i < obj.i:
        return None
    inner = next((child for child in prep.children if child.dep_ == "pcomp" and child.tag_ == "VBG"), None)
    complement = child_with(inner, "ccomp") if inner is not None else None
    inner_claim = claim_clause(complement) if complement is not None else None
    if inner_claim is None:
        return None
    inner_claim = _extend_to_sentence_end(inner, inner_claim, cue_positions)
    return trim(verb.doc, obj.left_edge.i, inner_claim[1], drop_complementizer=False)


def _as_complement(verb: Token) -> tuple[TokenRange, Token] | None:
    """"which Zelensky views as a strategic advantage", "criticized by Kyiv as a dangerous escalation", and with an
    adjective the parser hangs on the object: 'described the claims as “absurd”'."""
    prep = child_with(verb, "prep", "as")
    obj = child_with(verb, "dobj")
    if prep is None and obj is not None:
        prep = child_with(obj, "prep", "as")
    if prep is None:
        # 'described the report as deeply flawed': an adjective clause that "as" opens.
        for clause in verb.children:
            marker = next((c for c in clause.children if c.lower_ == "as" and c.i == clause.left_edge.i), None)
            if clause.dep_ in {"advcl", "xcomp", "oprd"} and clause.i > verb.i and marker is not None:
                found = trim(verb.doc, marker.i + 1, clause.right_edge.i + 1, drop_complementizer=False)
                return (found, marker) if found is not None else None
        return None
    pobj = child_with(prep, "pobj")
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
    obj = child_with(verb, "dobj")
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
    obj, prep = child_with(verb, "dobj"), child_with(verb, "prep", "at")
    pobj = child_with(prep, "pobj") if prep is not None else None
    if obj is None or pobj is None or prep.i < obj.i or not (pobj.ent_type_ in _FIGURE_ENTS or pobj.like_num):
        return None
    return trim(verb.doc, obj.left_edge.i, pobj.right_edge.i + 1, drop_complementizer=False)


def verb_attribution(candidate: Span, settings: RoleSettings, quotes: Quotes,
                     cue_positions: frozenset[int]) -> Attribution | None:
    """A verb cue candidate (its lexicon lemma in `kb_id_`); `cue_positions`, where every cue candidate starts, ends
    a claim before a coordinated clause with a cue of its own."""
    verb, lemma = candidate[0], candidate.kb_id_
    if verb.dep_ in settings.ignore_dependencies:
        return None
    if lemma == "point" and child_with(verb, "prt", "out") is None:
        return None
    passive = child_with(verb, "auxpass") is not None
    participle = verb.tag_ == "VBN" and verb.dep_ == "acl"  # "– never officially confirmed by Moscow –"
    if participle and child_with(verb, "agent") is None:
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

    def attribution(rule: Rule, claims: list[tuple[TokenRange, bool]], cue_range: TokenRange = cue,
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
        return Attribution(rule=Rule.NO_COMMENT, cue=(start, neither), score=settings.score(Rule.NO_COMMENT),
                           lemma=lemma, source=source, negated=True)
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
            return Attribution(rule=Rule.NO_COMMENT, cue=cue, score=settings.score(Rule.NO_COMMENT), lemma=lemma,
                               source=source, negated=True)
    if lemma in settings.verdict_verbs:
        # "The jury found the defendant guilty": a small clause (no verb) is a verdict, not a finding reported.
        ccomps = [complement for complement in ccomps if complement.pos_ in {"VERB", "AUX"}]
    # "Not everyone is convinced: some geologists argue …": a clause before a colon is not the content of a cue
    # after it.
    ccomps = [complement for complement in ccomps if complement.i > verb.i or not any(
        token.text in {":", ";"} for token in verb.doc[complement.right_edge.i + 1:verb.i])]
    if ccomps:
        claims = []
        for complement in ccomps:
            found = claim_clause(complement)
            if found is not None:
                found = _with_object_subject(verb, complement, found)
                found = _cut_other_attributions(complement, found, cue_positions)
                found = _without_dateline(verb.doc, found)
            if found is not None and found[0] > verb.i and not passive:
                found = _extend_to_sentence_end(verb, found, cue_positions)
                found = _without_leading_time(verb.doc, found, cue)
                found = _with_fronted_subject(verb, complement, found)
            resolved = quotes.resolve(found, cue) if found is not None else None
            if resolved is not None:
                claims.append(resolved)
        if claims:
            rule = Rule.PASSIVE_CLAUSE if passive else (Rule.VERB_QUOTE if claims[0][1] else Rule.VERB_CLAUSE)
            return attribution(rule, claims)
    if reporting and (found := _quoted_as(verb, cue_positions)) is not None:
        return attribution(Rule.VERB_CLAUSE, [(found, False)])
    if passive and lemma in settings.raising_verbs:
        infinitive = next((c for c in verb.children if c.dep_ == "xcomp" and child_with(c, "aux", "to") is not None),
                          None)
        if infinitive is not None and (found := trim(verb.doc, infinitive.left_edge.i, infinitive.right_edge.i + 1,
                                                      drop_complementizer=False)) is not None:
            resolved = quotes.resolve(found, cue)
            if resolved is not None:
                return attribution(Rule.PASSIVE_CLAUSE, [resolved])
    if lemma in settings.as_verbs and (as_claim := _as_complement(verb)) is not None:
        found, prep = as_claim
        resolved = quotes.resolve(found, cue)
        if resolved is not None:
            cue_range = (cue[0], prep.i + 1) if prep.i == cue[1] else cue
            return attribution(Rule.VERB_OBJECT, [resolved], cue_range)
    if lemma in settings.figure_verbs and not passive and (found := _figure(verb)) is not None:
        return attribution(Rule.VERB_OBJECT, [(found, False)])
    if lemma in settings.charge_verbs and not passive and (found := _charge(verb)) is not None:
        resolved = quotes.resolve(found, cue)
        if resolved is not None:
            return attribution(Rule.VERB_OBJECT, [resolved])
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
    as_clause = (verb.dep_ == "advcl" and child_with(verb, "mark", "as") is not None and subject is not None
                 and child_with(verb, "dobj") is None)
    if (verb.dep_ == "parataxis" or as_clause) and verb.head.pos_ in {"VERB", "AUX"}:
        # "The war, he said, will end soon", "As the mayor noted, the city is broke": the clause around the
        # parenthetical, cut at it when it sits at an edge.
        host = verb.head
        found = claim_clause(host, exclude=(verb.left_edge.i, verb.right_edge.i + 1))
        resolved = quotes.resolve(found, cue) if found is not None else None
        if resolved is not None:
            return attribution(Rule.VERB_QUOTE if resolved[1] else Rule.VERB_CLAUSE, [resolved])
    position = settings.of_kind(lemma, "intention")
    # "is expected to announce the plan", "urged the council to reject the contract": an act still to come is the
    # content of another attribution, not a statement or position of its own.
    if lemma in settings.object_claim_verbs and not _is_to_infinitive(verb) and not (position and not agent_subject):
        gerund = next((c for c in verb.children if c.dep_ == "xcomp" and c.tag_ == "VBG"), None)
        obj = child_with(verb, "dobj")
        found = None
        if gerund is not None:
            found = trim(verb.doc, gerund.left_edge.i, gerund.right_edge.i + 1)
        elif (obj is not None and obj.pos_ != "PRON" and not (position and _counted(obj))
              and (position or not _is_person(obj, settings))):
            # "The goalkeeper denied the striker": a person is not a statement (a position may be on one).
            found = noun_phrase(obj, exclude=verb, cut_nonrestrictive=True)
        resolved = quotes.resolve(found, cue) if found is not None and found[1] - found[0] >= 2 else None
        if resolved is not None:
            return attribution(Rule.VERB_OBJECT, [resolved])
    elif lemma not in settings.unmarked_when_negated and (found := _content_noun_object(verb)) is not None:
        # "The mayor dismissed reports that she would resign": the object and its content clause are the CLAIM
        # (the noun is an attribution of its own, by the noun rule).
        resolved = quotes.resolve(found, cue)
        if resolved is not None:
            return attribution(Rule.VERB_OBJECT, [resolved])
    elif lemma == "say" and (obj := _headline_object(verb)) is not None:
        found = noun_phrase(obj, exclude=verb)
        if found is not None:
            return attribution(Rule.HEADLINE_OBJECT, [(found, False)])
    if source is None or not any(settings.of_kind(lemma, kind) for kind in ("communication", "cognition", "evidence")):
        return None  # only speech, thought and documents may still take a quotation from the quote rules
    return Attribution(rule=Rule.PENDING, cue=cue, score=0.0, lemma=lemma, source=source, supplements=supplements_found)


_TIME_ENTS = {"DATE", "TIME"}
_COMPLEMENTS = {"dobj", "attr", "acomp", "ccomp", "xcomp", "oprd", "prt", "prep"}


def _is_medium(noun: Token, settings: RoleSettings) -> bool:
    """A medium noun by lemma or by form: the lemmatizer makes "media" "medium"."""
    return noun.lemma_.lower() in settings.medium_nouns or noun.lower_ in settings.medium_nouns


_DASHES = {"-", "–", "—", "--"}


def _is_person(noun: Token, settings: RoleSettings) -> bool:
    return noun.ent_type_ == "PERSON" or (noun.pos_ == "NOUN" and is_agent(noun, settings))


def _content_noun_object(verb: Token) -> TokenRange | None:
    """The object of the verb when a "that" clause states its content: "dismissed reports that …", "rejected the
    suggestion that …"."""
    obj = child_with(verb, "dobj")
    if obj is None or obj.i < verb.i or obj.pos_ not in {"NOUN", "PROPN"}:
        return None
    if not any(clause.dep_ in {"acl", "ccomp", "relcl"} and clause.i > obj.i and child_with(clause, "mark", "that")
               is not None for clause in obj.children):
        return None
    return trim(verb.doc, obj.left_edge.i, obj.right_edge.i + 1, drop_complementizer=False)


def _with_object_subject(verb: Token, complement: Token, claim: TokenRange) -> TokenRange:
    """'Local officials warned the closure would devastate the town': the small model takes the clause's subject for
    the verb's object (a recipient) and leaves the clause without one. A finite clause right after the object, with
    no subject of its own, starts at that object."""
    obj = child_with(verb, "dobj")
    if obj is None or not verb.i < obj.i < complement.i or obj.right_edge.i + 1 != complement.left_edge.i:
        return claim
    deps = {child.dep_ for child in complement.children}
    finite = "aux" in deps or complement.tag_ in {"VBD", "VBZ", "VBP"}
    if not finite or "mark" in deps or deps & CLAUSE_SUBJECTS:
        return claim
    return obj.left_edge.i, claim[1]


def _without_dateline(doc: Doc, claim: TokenRange) -> TokenRange:
    """'KYIV (Reuters) - Russian forces launched …, the air force said': a wire dateline (capitals, an agency in
    brackets, a dash) opening the sentence is not part of the claim."""
    start, end = claim
    if start != sentence_bounds(doc, start)[0]:
        return claim
    bracket = False
    for token in doc[start:min(end, start + 10)]:
        if token.text in _DASHES and token.i > start:
            return trim(doc, token.i + 1, end) or claim
        if token.text == "(":
            bracket = True
        elif token.text == ")":
            bracket = False
        elif not (bracket or token.is_space or token.text == "," or (token.is_alpha and token.is_upper)):
            return claim
    return claim


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
    return child_with(verb, "aux", "to") is not None


def _broader_claim(verb: Token, lemma: str, settings: RoleSettings, passive: bool, subject: Token | None,
                   agent_subject: bool, cue_positions: frozenset[int]
                   ) -> tuple[Rule, TokenRange, TokenRange | None] | None:
    """Intention, position and evaluation constructions (constructions.py): (rule, CLAIM, CUE if not the verb group)."""
    if passive or (verb.tag_ == "VBN" and verb.dep_ == "acl"):
        agent = source_token(verb, passive=True)
        if (agent is not None and is_agent(agent, settings, documents=True) and lemma in settings.object_claim_verbs
                and (claim := agent_passive_claim(verb)) is not None):
            return Rule.VERB_OBJECT, claim, None
        return None
    if settings.of_kind(lemma, "evidence") and (claim := evidence_object_claim(verb, subject, settings)) is not None:
        return Rule.VERB_OBJECT, claim, None
    # "called X Y" is specific enough to need only a subject ("The striker called the final the biggest game …").
    if lemma in settings.naming_verbs and subject is not None and (
            claim := naming_claim(verb) or quoted_naming_claim(verb)) is not None:
        return Rule.EVALUATION, claim, None
    if not agent_subject:
        return None
    if (prepositional := prepositional_cue(verb, lemma, settings)) is not None:
        end, claim = prepositional
        return Rule.INTENTION, claim, (verb_group(verb)[0], end)
    intends = settings.of_kind(lemma, "intention") or settings.of_kind(lemma, "cognition")
    if intends and subject is not None and is_agent(subject, settings) and (
            claim := infinitive_claim(verb)) is not None:
        # "plans to buy back stock and expects margins to recover": a coordinated cue ends the claim.
        return Rule.INTENTION, _cut_other_attributions(infinitive_of(verb), claim, cue_positions) or claim, None
    if lemma in settings.comparison_verbs and (claim := comparison_claim(verb)) is not None:
        return Rule.EVALUATION, claim, None
    return None


def stranded_complement(verb: Token, settings: RoleSettings) -> Token | None:
    """A "that" clause the parser hung on the verb's object or on a noun in its prepositional phrase: "told analysts
    on a call that demand had weakened", "said in a statement that ...". A real relative clause has "that" as its
    subject or object, never as its marker, so a marked relative clause with a subject of its own is the verb's
    complement; so is a content clause on a medium noun ("in a statement that"). A content clause on an object
    ("denied reports that ...") belongs to the noun and is left to the noun-cue rule."""
    hosts = [(child, False) for child in verb.children if child.dep_ in {"dobj", "dative"} and child.i > verb.i]
    hosts += [(pobj, child.lower_ in settings.medium_prepositions and _is_medium(pobj, settings))
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
            # "told analysts on a conference call that shoppers were cutting back": after a medium the small model
            # may read "that" as a relative pronoun object; with a subject and a complement of its own it opens the
            # content (a relative clause on "that" as object lacks one: "a post that she later deleted").
            opener = clause.left_edge
            if (medium and opener.lower_ == "that" and opener.i == noun.i + 1 and subject.i == opener.i + 1
                    and any(c.dep_ in _COMPLEMENTS and c.i > clause.i for c in clause.children)):
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
    if child_with(verb, "preconj", "neither") is not None:
        partner = next((c for c in verb.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}), None)
        return partner.i + 1 if partner is not None else None
    if verb.dep_ == "conj" and child_with(verb.head, "preconj", "neither") is not None:
        return -1
    return None


def _is_embedded_question(clause: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ in _QUESTION_MARKS for child in clause.children)
