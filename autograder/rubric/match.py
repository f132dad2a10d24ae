"""Finds where a concept is expressed in a sentence, whether that expression is negated, and
which of the question's subjects it is said of.

Negation is scoped to the clause and to the few words before the match ("balancing is
not about alliances", "rather than opposing"), so a negated idea earns nothing while
"not only ... but also" still counts. A negator that belongs to another concept of the
same idea ("*no coalition* could catch up") is that concept's wording, not a negation.

A question that compares two things (balancing and bandwagoning, hard and soft balancing)
names them as its *subjects*. A criterion about one of them is met only by a sentence that
says it of that subject: "bandwagoning is when states resist the big power" does not show
that the student knows balancing resists. What a sentence says is attributed to the nearest
subject named before it in the sentence (or, failing that, after it), or to the subject of the
sentence before ("Balancing is a strategy. It means ..."). A subject named only in contrast
("unlike bandwagoning", "rather than balancing") is not the one the sentence is about.

Words the question itself uses are no evidence on their own: an answer that says balancing
"contributes to stability" has repeated the question about stability, not explained it. An
idea is expressed only if at least one of its concepts, other than the question's subjects
and carried concepts, is matched on a word the question does not use ("the concept is useful
only if ..." may answer "is the concept useful?" because "only if" is the student's own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from autograder.rubric.model import Alternative, Concept, LexiconIndex, Pattern
from autograder.rubric.text import MISSPELLABLE, Sentence, deletions, one_letter_apart, stem, tokens

NEGATORS = frozenset(
    {"not", "no", "never", "neither", "nor", "without", "hardly", "cannot", "nothing", "none"}
    # the negators of the other languages the lexicons know: French, Spanish, German
    | {"ne", "n", "jamais", "nunca", "jamas", "nicht", "kein", "keine", "keinen", "nie"}
    # contractions written without their apostrophe
    | {"dont", "doesnt", "didnt", "wont", "cant", "isnt", "arent", "wasnt", "werent", "couldnt", "wouldnt"}
)
NEGATING_PHRASES = (
    ("rather", "than"),
    ("instead", "of"),
    ("opposed", "to"),
    ("far", "from"),
    ("fail", "to"),
    ("fails", "to"),
    ("failed", "to"),
    ("refuse", "to"),
    ("refuses", "to"),
    ("nobody", "is"),
    ("nobody", "was"),
)
# "It is wrong to think that ...", "a mistake to say ...", "it does not mean that ...": everything after them
# in the clause is denied.
CLAUSE_NEGATORS = (("mistake", "to"), ("wrong", "to"), ("not", "think"), ("not", "believe"), ("not", "mean"))
NEGATION_WINDOW = 7
# Words just before a subject that name it only to contrast it with the one being described.
CONTRAST_MARKERS = (
    ("unlike",),
    ("than",),
    ("versus",),
    ("vs",),
    ("opposite", "of"),
    ("opposite", "to"),
    ("different", "from"),
    ("different", "to"),
    ("differs", "from"),
    ("differ", "from"),
    ("rather", "than"),
    ("instead", "of"),
    ("opposed", "to"),
    ("compared", "to"),
    ("compared", "with"),
    ("contrast", "to"),
    ("contrast", "with"),
    ("as", "well", "as"),
)
# "The first ... the second", "the former ... the latter": the question's subjects, in the order it names them.
ORDINAL_SUBJECTS = {"first": 0, "former": 0, "second": 1, "latter": 1}
# What a student writes after a claim to reject it: "Some say balancing means resisting; that's wrong."
REFUTATIONS = (
    ("that", "is", "wrong"),
    ("that", "s", "wrong"),
    ("this", "is", "wrong"),
    ("is", "wrong"),
    ("is", "a", "myth"),
    ("that", "s", "a", "myth"),
    ("is", "false"),
    ("is", "not", "true"),
    ("that", "s", "not", "true"),
    ("that", "is", "not", "true"),
    ("this", "is", "not", "true"),
    ("not", "true"),
    ("is", "incorrect"),
    ("is", "a", "misconception"),
)
FUNCTION_WORDS = frozenset(
    "a an the and or of to in on at for by with from as is are was were be been being it its this that these "
    "those they them their do does did how what why which".split()
)


def _part_matches(part: tuple[str, bool], raw: str, word: str, word_stem: str) -> bool:
    text, is_prefix = part
    if is_prefix:
        return word.startswith(text) or (
            len(text) >= MISSPELLABLE and len(word) >= len(text) and one_letter_apart(word[: len(text)], text)
        )
    return word_stem == text or (len(raw) >= MISSPELLABLE and len(word) >= MISSPELLABLE and one_letter_apart(word, raw))


def _rest_matches(pattern: Pattern, sentence: Sentence, start: int) -> bool:
    """Whether the pattern's words after the first follow the word at ``start``."""
    return start + len(pattern.parts) <= len(sentence.words) and all(
        _part_matches(part, pattern.words[k], sentence.words[start + k], sentence.stems[start + k])
        for k, part in enumerate(pattern.parts[1:], start=1)
    )


def _lexicon_matches(index: LexiconIndex, sentence: Sentence) -> dict[str, list[tuple[int, int]]]:
    """(start, length) of every match of every concept of the lexicon in the sentence, found in one pass."""
    found: dict[str, set[tuple[int, int]]] = {}

    def consider(name: str, pattern: Pattern, position: int) -> None:
        if _rest_matches(pattern, sentence, position):
            found.setdefault(name, set()).add((position, len(pattern.parts)))

    for position, (word, word_stem) in enumerate(zip(sentence.words, sentence.stems, strict=True)):
        for name, pattern in index.by_stem.get(word_stem, ()):
            consider(name, pattern, position)
        for length in range(1, len(word) + 1):
            for name, pattern in index.by_prefix.get(word[:length], ()):
                consider(name, pattern, position)
        if len(word) >= MISSPELLABLE:
            for key in deletions(word) | {word}:
                for name, pattern in index.by_deletion.get(key, ()):
                    if one_letter_apart(word, pattern.words[0]):
                        consider(name, pattern, position)
    for name, pattern in index.long_prefixes:
        text = pattern.parts[0][0]
        for position in sentence.by_opening.get(text[:2], ()):
            if _part_matches(pattern.parts[0], pattern.words[0], sentence.words[position], ""):
                consider(name, pattern, position)
    return {name: sorted(matches) for name, matches in found.items()}


# Said after a concept to deny it: "anarchy has nothing to do with it", "sanctions are not balancing".
DENIALS_AFTER = (
    ("nothing", "to", "do", "with"),
    ("not", "balancing"),
    ("not", "really", "balancing"),
    ("not", "really", "about"),
    ("not", "matter"),
)


def _denied_after(sentence: Sentence, position: int) -> bool:
    clause = sentence.clauses[position]
    after = [
        w for w, c in zip(sentence.words[position + 1 :], sentence.clauses[position + 1 :], strict=True) if c == clause
    ]
    return any(tuple(after[k : k + len(d)]) == d for d in DENIALS_AFTER for k in range(min(len(after), 9)))


def _refuted(sentence: Sentence, clause: int) -> bool:
    """Whether the clause is rejected by the one after it ("..., but that's wrong")."""
    later = [c for c in sentence.clauses if c > clause]
    after = [w for w, c in zip(sentence.words, sentence.clauses, strict=True) if later and c == later[0]]
    return any(tuple(after[: len(r)]) == r for r in REFUTATIONS)


def is_negated(sentence: Sentence, position: int, worded: frozenset[int] = frozenset()) -> bool:
    """A negator shortly before ``position``, in the same clause, negates the word there; so does a
    refutation of the whole clause right after it.

    Words in ``worded`` are part of another concept's expression and negate nothing.
    """
    clause = sentence.clauses[position]
    if _refuted(sentence, clause) or _denied_after(sentence, position):
        return True
    before = [w for w, c in zip(sentence.words[:position], sentence.clauses[:position], strict=True) if c == clause]
    if any(tuple(before[k : k + 2]) in CLAUSE_NEGATORS for k in range(len(before) - 1)):
        return True
    start = max(0, position - NEGATION_WINDOW)
    window = [i for i in range(start, position) if sentence.clauses[i] == clause and i not in worded]
    words = [sentence.words[i] for i in window]
    for k, word in enumerate(words):
        if word in NEGATORS and not (
            word == "not" and k + 1 < len(words) and words[k + 1] in {"only", "just", "merely"}
        ):
            return True
    return any(tuple(words[k : k + 2]) in NEGATING_PHRASES for k in range(len(words) - 1))


def _matches(concept: Concept, sentence: Sentence) -> list[tuple[int, int]]:
    """(start, length) of every match of one of the concept's patterns, negated or not."""
    found = sentence.matched.get(id(concept.index))
    if found is None:
        found = sentence.matched[id(concept.index)] = _lexicon_matches(concept.index, sentence)
    return found.get(concept.name, [])


def concept_positions(
    concept: Concept,
    sentence: Sentence,
    worded: frozenset[int] = frozenset(),
    echo: frozenset[str] = frozenset(),
) -> list[int]:
    """Positions where the concept is expressed and (if it can be) not negated.

    A match made only of words whose stems are in ``echo`` (the question's own words) does
    not count.
    """
    found = [
        p
        for p, n in _matches(concept, sentence)
        if not echo or any(sentence.stems[p + k] not in echo for k in range(n))
    ]
    if concept.negatable:
        found = [p for p in found if not is_negated(sentence, p, worded)]
    return found


def concept_words(concept: Concept, sentence: Sentence) -> frozenset[int]:
    """Every word position covered by a match of one of the concept's patterns, negated or not."""
    return frozenset(p + k for p, n in _matches(concept, sentence) for k in range(n))


def question_echo(question: str) -> frozenset[str]:
    """The stems of the question's content words."""
    return frozenset(stem(w) for w in tokens(question) if w not in FUNCTION_WORDS and len(w) > 2)


@dataclass
class AnswerContext:
    """One answer's sentences, read against one question's lexicon, subjects and wording."""

    sentences: list[Sentence]
    lexicon: dict[str, Concept]
    carry: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    echo: frozenset[str] = frozenset()
    _mentions: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)

    @cached_property
    def exempt(self) -> frozenset[str]:
        """Concepts that may be matched on the question's own words: its subjects and carried concepts."""
        return frozenset(self.subjects) | frozenset(self.carry)

    def positions(self, name: str, index: int, worded: frozenset[int] = frozenset(), fresh: bool = False) -> list[int]:
        """Where concept ``name`` is expressed in sentence ``index``; with ``fresh``, only in the student's own
        words (for a concept that is neither a subject nor carried)."""
        echo = self.echo if fresh and name not in self.exempt else frozenset()
        return concept_positions(self.lexicon[name], self.sentences[index], worded, echo)

    def fresh(self, alternative: Alternative, index: int) -> bool:
        """Whether one of the alternative's own concepts is expressed in words the question does not use."""
        own = [name for name in alternative.concepts if name not in self.exempt]
        return not own or not self.echo or any(self.positions(name, index, fresh=True) for name in own)

    def carried(self, name: str, index: int) -> bool:
        """Whether concept ``name``, not named at all in sentence ``index``, is expressed in the one before.

        A concept the sentence names but negates ("it is not about the strong state") is not
        carried over from the sentence before: the student has said something about it here.
        """
        return (
            index > 0
            and not _matches(self.lexicon[name], self.sentences[index])
            and bool(self.positions(name, index - 1))
        )

    def mentions(self, index: int) -> list[tuple[int, int, str]]:
        """(start, clause, subject) of every subject named in sentence ``index``, not in contrast."""
        if index not in self._mentions:
            sentence = self.sentences[index]
            found = []
            for name in self.subjects:
                for p, _ in _matches(self.lexicon[name], sentence):
                    before = sentence.words[max(0, p - 3) : p]
                    if not any(tuple(before[len(before) - len(m) :]) == m for m in CONTRAST_MARKERS):
                        found.append((p, sentence.clauses[p], name))
            for p, word in enumerate(sentence.words):
                order = ORDINAL_SUBJECTS.get(word)
                if order is not None and order < len(self.subjects) and p > 0 and sentence.words[p - 1] == "the":
                    found.append((p, sentence.clauses[p], self.subjects[order]))
            self._mentions[index] = sorted(found)
        return self._mentions[index]

    def owner(self, index: int, position: int, clause_only: bool = False) -> str | None:
        """The subject that what stands at ``position`` is said of, or None if the answer names none."""
        clause = self.sentences[index].clauses[position]
        mentions = [m for m in self.mentions(index) if not clause_only or m[1] == clause]
        before = [m for m in mentions if m[0] < position]
        if before:
            return before[-1][2]
        after = [m for m in mentions if m[0] > position]
        if after:
            return after[0][2]
        if clause_only or index == 0:
            return None
        previous = self.mentions(index - 1)
        return previous[-1][2] if previous else None


def _others_words(
    alternative: Alternative, name: str, sentence: Sentence, lexicon: dict[str, Concept]
) -> frozenset[int]:
    """The words that the alternative's other concepts use in this sentence."""
    if len(alternative.concepts) == 1:
        return frozenset()
    return frozenset().union(
        *(concept_words(lexicon[other], sentence) for other in alternative.concepts if other != name)
    )


def _said_of(context: AnswerContext, index: int, positions: list[int], about: str | None, clause_only: bool) -> bool:
    """Whether one of the positions is said of ``about`` (or of no subject, outside clause scope)."""
    if about is None:
        return bool(positions)
    owners = {context.owner(index, p, clause_only) for p in positions}
    return about in owners or (not clause_only and None in owners)


def _predicate(alternative: Alternative, subjects: tuple[str, ...]) -> str | None:
    """The alternative's first concept that is not a subject: what must be said of the subject."""
    return next((name for name in alternative.concepts if name not in subjects), None)


def alternative_met(alternative: Alternative, context: AnswerContext, index: int, about: str | None = None) -> bool:
    """Whether sentence ``index`` expresses every concept of the alternative, its predicate said of ``about``.

    The predicate is the alternative's first concept that is not a subject ("align" in
    ``[align, strong_or_threat]``); the others may be said of anything ("joining the strong
    state" names the strong state as an object). Concepts named in ``carry`` (such as the
    question's subjects) may come from the sentence before, because students write
    "Balancing is a strategy. It means ...".
    """
    sentence = context.sentences[index]
    about = alternative.about or about
    if alternative.scope == "clause":
        return _in_one_clause_in_order(alternative, context, index, about)
    if any(context.positions(name, index) for name in alternative.unless) or not context.fresh(alternative, index):
        return False
    predicate = _predicate(alternative, context.subjects) if about else None
    for name in alternative.concepts:
        found = context.positions(name, index, _others_words(alternative, name, sentence, context.lexicon))
        if name == predicate:
            if found and _said_of(context, index, found, about, clause_only=False):
                continue
            return False
        if found or (name in context.carry and context.carried(name, index)):
            continue
        return False
    return True


def _in_one_clause_in_order(alternative: Alternative, context: AnswerContext, index: int, about: str | None) -> bool:
    sentence = context.sentences[index]
    if not context.fresh(alternative, index):
        return False
    predicate = _predicate(alternative, context.subjects) if about else None
    positions = [
        context.positions(name, index, _others_words(alternative, name, sentence, context.lexicon))
        for name in alternative.concepts
    ]
    for clause in set(sentence.clauses):
        last = -1
        for name, found in zip(alternative.concepts, positions, strict=True):
            later = [p for p in found if p > last and sentence.clauses[p] == clause]
            if name == predicate:
                later = [p for p in later if context.owner(index, p, clause_only=True) == about]
            if not later:
                break
            last = later[0]
        else:
            if not any(
                sentence.clauses[p] == clause for name in alternative.unless for p in context.positions(name, index)
            ):
                return True
    return False
