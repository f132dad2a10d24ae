"""Finds where a concept is expressed in a sentence, and whether that expression is negated.

Negation is scoped to the clause and to the few words before the match ("balancing is
not about alliances", "rather than opposing"), so a negated idea earns nothing while
"not only ... but also" still counts. A negator that belongs to another concept of the
same idea ("*no coalition* could catch up") is that concept's wording, not a negation.
"""

from __future__ import annotations

from collections.abc import Iterable

from autograder.rubric.model import Alternative, Concept, Pattern
from autograder.rubric.text import Sentence

NEGATORS = frozenset({"not", "no", "never", "neither", "nor", "without", "hardly", "cannot", "nothing", "none"})
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
)
NEGATION_WINDOW = 4


def _part_matches(part: tuple[str, bool], word: str, word_stem: str) -> bool:
    text, is_prefix = part
    return word.startswith(text) if is_prefix else word_stem == text


def pattern_positions(pattern: Pattern, sentence: Sentence) -> list[int]:
    """Start positions of the pattern's word sequence in the sentence."""
    n = len(pattern.parts)
    first, is_prefix = pattern.parts[0]
    if is_prefix:
        candidates: Iterable[int] = (i for i, word in enumerate(sentence.words) if word.startswith(first))
    else:
        candidates = sentence.stem_index.get(first, ())
    return [
        i
        for i in candidates
        if i + n <= len(sentence.words)
        and all(
            _part_matches(part, sentence.words[i + k], sentence.stems[i + k])
            for k, part in enumerate(pattern.parts[1:], start=1)
        )
    ]


def is_negated(sentence: Sentence, position: int, worded: frozenset[int] = frozenset()) -> bool:
    """A negator shortly before ``position``, in the same clause, negates the word there.

    Words in ``worded`` are part of another concept's expression and negate nothing.
    """
    clause = sentence.clauses[position]
    start = max(0, position - NEGATION_WINDOW)
    window = [i for i in range(start, position) if sentence.clauses[i] == clause and i not in worded]
    words = [sentence.words[i] for i in window]
    for k, word in enumerate(words):
        if word in NEGATORS and not (
            word == "not" and k + 1 < len(words) and words[k + 1] in {"only", "just", "merely"}
        ):
            return True
    return any(tuple(words[k : k + 2]) in NEGATING_PHRASES for k in range(len(words) - 1))


def concept_positions(concept: Concept, sentence: Sentence, worded: frozenset[int] = frozenset()) -> list[int]:
    """Positions where the concept is expressed and (if it can be) not negated."""
    found = sorted({p for pattern in concept.patterns for p in pattern_positions(pattern, sentence)})
    if concept.negatable:
        found = [p for p in found if not is_negated(sentence, p, worded)]
    return found


def concept_words(concept: Concept, sentence: Sentence) -> frozenset[int]:
    """Every word position covered by a match of one of the concept's patterns, negated or not."""
    return frozenset(
        p + k
        for pattern in concept.patterns
        for p in pattern_positions(pattern, sentence)
        for k in range(len(pattern.parts))
    )


def _others_words(
    alternative: Alternative, name: str, sentence: Sentence, lexicon: dict[str, Concept]
) -> frozenset[int]:
    """The words that the alternative's other concepts use in this sentence."""
    if len(alternative.concepts) == 1:
        return frozenset()
    return frozenset().union(
        *(concept_words(lexicon[other], sentence) for other in alternative.concepts if other != name)
    )


def alternative_met(
    alternative: Alternative,
    sentences: list[Sentence],
    index: int,
    lexicon: dict[str, Concept],
    carry: tuple[str, ...] = (),
) -> bool:
    """Whether sentence ``index`` expresses every concept of the alternative.

    Concepts named in ``carry`` (the question's subjects, such as "balancing") may come from
    the sentence before, because students write "Balancing is a strategy. It means ...".
    """
    sentence = sentences[index]
    if alternative.scope == "clause":
        return _in_one_clause_in_order(alternative, sentence, lexicon)
    for name in alternative.concepts:
        if concept_positions(lexicon[name], sentence, _others_words(alternative, name, sentence, lexicon)):
            continue
        if name in carry and index > 0 and concept_positions(lexicon[name], sentences[index - 1]):
            continue
        return False
    return True


def _in_one_clause_in_order(alternative: Alternative, sentence: Sentence, lexicon: dict[str, Concept]) -> bool:
    positions = [
        concept_positions(lexicon[name], sentence, _others_words(alternative, name, sentence, lexicon))
        for name in alternative.concepts
    ]
    for clause in set(sentence.clauses):
        last = -1
        for found in positions:
            later = [p for p in found if p > last and sentence.clauses[p] == clause]
            if not later:
                break
            last = later[0]
        else:
            return True
    return False
