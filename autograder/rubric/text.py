"""Splits an answer into sentences and clauses of stemmed tokens.

Rubric concepts are matched on stems so that "balances", "balanced" and "balancing" count
alike, and within a sentence so that concepts scattered across an answer do not add up
to an idea the student never stated.
"""

from __future__ import annotations

import re
import unicodedata
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
# Note-taking shorthand, written out so that "aligns w/ that power" reads as "aligns with that power".
_NOTE_WORDS = {"w/o": "without", "w/": "with", "govt": "government", "govts": "governments"}
_NOTE_ABBREVIATIONS = re.compile(r"(?<![\w/])w/o\b|(?<![\w/])w/(?=\s)|\bgovts?\b")
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
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return _NOTE_ABBREVIATIONS.sub(lambda m: _NOTE_WORDS[m.group(0)], text.lower())


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
    def by_opening(self) -> dict[str, tuple[int, ...]]:
        """Positions of the long words by their first two letters (misspellings rarely start wrong)."""
        index: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            if len(word) >= MISSPELLABLE:
                index.setdefault(word[:2], []).append(position)
        return {opening: tuple(positions) for opening, positions in index.items()}

    @cached_property
    def matched(self) -> dict[int, dict[str, list[tuple[int, int]]]]:
        """The matches of every concept of a lexicon in this sentence, by the lexicon index's identity.

        A rubric asks about the same concepts many times (in criteria, caps, negation and
        attribution checks): the sentence is searched once.
        """
        return {}


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
