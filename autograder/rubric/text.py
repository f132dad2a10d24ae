"""Splits an answer into sentences and clauses of stemmed tokens.

Rubric concepts are matched on stems so that "balances", "balanced" and "balancing" count
alike, and within a sentence so that concepts scattered across an answer do not add up
to an idea the student never stated.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
# Sentences end at a full stop, but not at one of the abbreviations students use inside them.
_ABBREVIATION = r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bu\.s\.)(?<!\bu\.k\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bcf\.)"
_SENTENCE_END = re.compile(rf"(?<=[.!?]){_ABBREVIATION}\s+|\n\s*[-*•]\s+|\n{{2,}}|\n(?=\s*\d+[.)]\s)|;\s+")
# "because" opens a clause of its own, except after "not": "not because of balancing" negates the reason.
_CLAUSE_BREAK = re.compile(
    r",|:|\s[-\u2013\u2014]\s|\b(?:while|whereas|but|however|although|though)\b|(?<!not )\bbecause\b"
)
_TOKEN = re.compile(r"[^\W_]+")  # apostrophes split words: "l'équilibre" is "l" and "équilibre"


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


MISSPELLABLE = 7  # words this long may be matched with one letter wrong


@lru_cache(maxsize=65536)
def deletions(word: str) -> frozenset[str]:
    """The word with each one of its letters left out."""
    return frozenset(word[:i] + word[i + 1 :] for i in range(len(word)))


def one_letter_apart(a: str, b: str) -> bool:
    """One letter substituted, inserted, deleted, or two neighbours swapped (a misspelling)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) != len(b):
        shorter, longer = sorted((a, b), key=len)
        return shorter in deletions(longer)
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diffs) == 1 or (
        len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    )


def normalise(text: str) -> str:
    """Lower case, with typographic quotes, dashes and accents folded ("État" matches "etat")."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return text.lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text).replace("n't", " not"))


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, its raw tokens, their stems, and the clause each token is in."""

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    clauses: tuple[int, ...]

    @cached_property
    def stem_index(self) -> dict[str, tuple[int, ...]]:
        """Where each stem occurs: a rubric asks about hundreds of patterns per sentence."""
        index: dict[str, list[int]] = {}
        for position, word_stem in enumerate(self.stems):
            index.setdefault(word_stem, []).append(position)
        return {word_stem: tuple(positions) for word_stem, positions in index.items()}

    @cached_property
    def sorted_words(self) -> tuple[tuple[str, int], ...]:
        """(word, position) in alphabetical order, to find every word with a given prefix by bisection."""
        return tuple(sorted((word, position) for position, word in enumerate(self.words)))

    def starting_with(self, prefix: str) -> list[int]:
        """Positions of the words that start with ``prefix``."""
        order = self.sorted_words
        found = []
        for k in range(bisect_left(order, (prefix, -1)), len(order)):
            word, position = order[k]
            if not word.startswith(prefix):
                break
            found.append(position)
        return sorted(found)

    @cached_property
    def by_opening(self) -> dict[str, tuple[int, ...]]:
        """Positions of the long words by their first two letters (misspellings rarely start wrong)."""
        index: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            if len(word) >= MISSPELLABLE:
                index.setdefault(word[:2], []).append(position)
        return {opening: tuple(positions) for opening, positions in index.items()}

    @cached_property
    def matched(self) -> dict[int, list[tuple[int, int]]]:
        """The matches of each concept found so far in this sentence, by the concept's identity.

        A rubric asks about the same concept many times (in criteria, caps, negation and
        attribution checks), and its patterns are many: each is looked for once.
        """
        return {}

    @cached_property
    def near_index(self) -> dict[str, tuple[int, ...]]:
        """Where each long word, and each of its one-letter deletions, occurs: finds misspellings fast."""
        index: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            if len(word) >= MISSPELLABLE:
                for key in deletions(word) | {word}:
                    index.setdefault(key, []).append(position)
        return {key: tuple(positions) for key, positions in index.items()}

    def near(self, word: str) -> tuple[int, ...]:
        """Positions of the words one letter away from ``word`` (a word of seven letters or more)."""
        found = {p for key in deletions(word) | {word} for p in self.near_index.get(key, ())}
        return tuple(sorted(p for p in found if one_letter_apart(self.words[p], word)))


def split_sentences(text: str) -> list[Sentence]:
    sentences = []
    for chunk in _SENTENCE_END.split(normalise(text)):
        chunk = chunk.strip(" -*•\t\n")
        if not chunk:
            continue
        words: list[str] = []
        clauses: list[int] = []
        for clause_number, clause in enumerate(_CLAUSE_BREAK.split(chunk)):
            clause_words = tokens(clause)
            words += clause_words
            clauses += [clause_number] * len(clause_words)
        if words:
            sentences.append(Sentence(chunk, tuple(words), tuple(stem(w) for w in words), tuple(clauses)))
    return sentences
