"""Rubrics: what each free-text question expects, as criteria made of named concepts.

A rubric file (``exercises/rubrics/<assignment>.yaml``) is instructor-only: it never enters
a released notebook or a sandbox. It holds a *lexicon* of concepts (each a list of word
patterns) and, per question, criteria whose alternatives name the concepts that must be
expressed together in one sentence. Loading validates everything an author can get
wrong and says where, so a typo cannot silently make a criterion unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder.rubric.text import MISSPELLABLE, deletions, stem, tokens


class RubricError(ValueError):
    """A rubric file that cannot be used, with the place and the reason."""


@dataclass(frozen=True)
class Pattern:
    """A word or phrase. ``word*`` matches any word starting with ``word``; ``word`` matches
    any word with the same stem, or, for a word of seven letters or more, the same word with
    one letter wrong, missing, added or swapped ("threatning", "Britian"); a phrase matches
    consecutive words."""

    parts: tuple[tuple[str, bool], ...]  # (stem or prefix, is_prefix)
    source: str
    words: tuple[str, ...] = ()  # each part's word as written, for matching misspellings

    @classmethod
    def parse(cls, text: str) -> Pattern:
        parts: list[tuple[str, bool]] = []
        words: list[str] = []
        for word in text.split():
            found = tokens(word.removesuffix("*"))
            if not found:
                raise RubricError(f"pattern {text!r}: {word!r} has no letters or digits")
            # "band-wagon*" is the words "band" and "wagon...": only the last one is a prefix.
            parts += [(stem(w), False) for w in found[:-1]]
            parts.append((found[-1], True) if word.endswith("*") else (stem(found[-1]), False))
            words += found
        return cls(tuple(parts), text, tuple(words))


class LexiconIndex:
    """Every pattern of a lexicon by its first word, so that a sentence is searched once for all the
    patterns that can start at one of its words, not once per pattern or per concept."""

    def __init__(self, patterns: dict[str, tuple[Pattern, ...]]) -> None:
        self.by_stem: dict[str, list[tuple[str, Pattern]]] = {}  # first word's stem
        self.by_prefix: dict[str, list[tuple[str, Pattern]]] = {}  # first word's prefix ("counterbalanc*")
        self.by_deletion: dict[str, list[tuple[str, Pattern]]] = {}  # a long first word, and it one letter short
        self.long_prefixes: list[tuple[str, Pattern]] = []  # prefixes long enough to be matched misspelt
        for name, concept_patterns in patterns.items():
            for pattern in concept_patterns:
                first, is_prefix = pattern.parts[0]
                entry = (name, pattern)
                if is_prefix:
                    self.by_prefix.setdefault(first, []).append(entry)
                    if len(first) >= MISSPELLABLE:
                        self.long_prefixes.append(entry)
                    continue
                self.by_stem.setdefault(first, []).append(entry)
                raw = pattern.words[0]
                if len(raw) >= MISSPELLABLE:
                    for key in deletions(raw) | {raw}:
                        self.by_deletion.setdefault(key, []).append(entry)


@dataclass(frozen=True)
class Concept:
    name: str
    patterns: tuple[Pattern, ...]
    # the index of the lexicon the concept belongs to, shared by all its concepts
    index: LexiconIndex = field(compare=False, repr=False)
    negatable: bool = True


@dataclass(frozen=True)
class Alternative:
    """Concepts that must all be expressed, un-negated, in one sentence (or one clause, in order)."""

    concepts: tuple[str, ...]
    scope: str = "sentence"  # or "clause": same clause, in the order given
    about: str | None = None  # overrides the criterion's subject for this alternative
    unless: tuple[str, ...] = ()  # concepts that, expressed in the same sentence (or clause), defeat it


@dataclass(frozen=True)
class Criterion:
    id: str
    points: float
    met: str  # feedback when met: names the idea, never the patterns
    hint: str  # feedback when missed: what to add, not the expected wording
    any_of: tuple[Alternative, ...]
    about: str | None = None  # the subject the idea must be said of, when the question has subjects


@dataclass(frozen=True)
class Cap:
    """A core misconception: when it is expressed, the answer's score is capped."""

    id: str
    max_points: float
    message: str
    any_of: tuple[Alternative, ...]
    about: str | None = None


@dataclass(frozen=True)
class QuestionRubric:
    grade_id: str
    points: float
    question: str
    criteria: tuple[Criterion, ...]
    caps: tuple[Cap, ...] = ()
    lexicon: dict[str, Concept] = field(default_factory=dict)
    on_topic: tuple[str, ...] = ()
    carry: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # the things a comparative question compares


def _about(spec: dict[str, Any], subjects: list[str], where: str) -> str | None:
    about = spec.get("about")
    if about is not None and about not in subjects:
        raise RubricError(f"{where}: 'about: {about}' is not one of the question's subjects {subjects}")
    return about


def _require(mapping: dict[str, Any], key: str, where: str, kind: type) -> Any:
    if key not in mapping:
        raise RubricError(f"{where}: missing '{key}'")
    value = mapping[key]
    if not isinstance(value, kind):
        raise RubricError(f"{where}: '{key}' must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _alternatives(
    raw: list[Any], lexicon: dict[str, Concept], where: str, subjects: list[str]
) -> tuple[Alternative, ...]:
    alternatives = []
    for i, item in enumerate(raw):
        spot = f"{where}[{i}]"
        about, unless = None, []
        if isinstance(item, list):
            names, scope = item, "sentence"
        elif isinstance(item, dict) and ("clause" in item) != ("sentence" in item):
            scope = "clause" if "clause" in item else "sentence"
            names, about, unless = item[scope], _about(item, subjects, spot), list(item.get("unless", []))
        else:
            raise RubricError(f"{spot}: expected a list of concepts, {{clause: [...]}} or {{sentence: [...]}}")
        unknown = [name for name in [*names, *unless] if name not in lexicon]
        if unknown:
            raise RubricError(f"{spot}: unknown concept(s) {unknown}")
        if not names:
            raise RubricError(f"{spot}: names no concept")
        alternatives.append(Alternative(tuple(names), scope, about, tuple(unless)))
    if not alternatives:
        raise RubricError(f"{where}: needs at least one alternative")
    return tuple(alternatives)


def _lexicon(raw: dict[str, Any], where: str) -> dict[str, Concept]:
    patterns: dict[str, tuple[Pattern, ...]] = {}
    negatable: dict[str, bool] = {}
    for name, spec in raw.items():
        if isinstance(spec, list):
            words, negatable[name] = spec, True
        elif isinstance(spec, dict):
            words = _require(spec, "words", f"{where}.{name}", list)
            negatable[name] = bool(spec.get("negatable", True))
        else:
            raise RubricError(f"{where}.{name}: expected a list of words")
        try:
            patterns[name] = tuple(Pattern.parse(str(w)) for w in words)
        except RubricError as error:
            raise RubricError(f"{where}.{name}: {error}") from None
    index = LexiconIndex(patterns)
    return {name: Concept(name, patterns[name], index, negatable[name]) for name in patterns}


def parse_rubrics(data: dict[str, Any], where: str = "rubric") -> dict[str, QuestionRubric]:
    """Build the question rubrics of one assignment from its parsed YAML."""
    if not isinstance(data, dict):
        raise RubricError(f"{where}: expected a mapping at the top level")
    lexicon = _lexicon(_require(data, "lexicon", where, dict), f"{where}.lexicon")
    questions = {}
    for grade_id, spec in _require(data, "questions", where, dict).items():
        spot = f"{where}.questions.{grade_id}"
        subjects = list(spec.get("subjects", []))
        criteria = tuple(
            Criterion(
                id=str(_require(c, "id", f"{spot}.criteria[{i}]", str)),
                points=float(c.get("points", 1)),
                met=_require(c, "met", f"{spot}.criteria[{i}]", str),
                hint=_require(c, "hint", f"{spot}.criteria[{i}]", str),
                any_of=_alternatives(
                    _require(c, "any_of", f"{spot}.criteria[{i}]", list),
                    lexicon,
                    f"{spot}.criteria[{i}].any_of",
                    subjects,
                ),
                about=_about(c, subjects, f"{spot}.criteria[{i}]"),
            )
            for i, c in enumerate(_require(spec, "criteria", spot, list))
        )
        caps = tuple(
            Cap(
                id=str(_require(c, "id", f"{spot}.caps[{i}]", str)),
                max_points=float(_require(c, "max_points", f"{spot}.caps[{i}]", (int, float))),
                message=_require(c, "message", f"{spot}.caps[{i}]", str),
                any_of=_alternatives(
                    _require(c, "any_of", f"{spot}.caps[{i}]", list), lexicon, f"{spot}.caps[{i}].any_of", subjects
                ),
                about=_about(c, subjects, f"{spot}.caps[{i}]"),
            )
            for i, c in enumerate(spec.get("caps", []))
        )
        points = float(_require(spec, "points", spot, (int, float)))
        if abs(sum(c.points for c in criteria) - points) > 1e-9:
            raise RubricError(f"{spot}: criteria add up to {sum(c.points for c in criteria)}, not {points}")
        for key in ("on_topic", "carry", "subjects"):
            unknown = [n for n in spec.get(key, []) if n not in lexicon]
            if unknown:
                raise RubricError(f"{spot}.{key}: unknown concept(s) {unknown}")
        questions[grade_id] = QuestionRubric(
            grade_id=grade_id,
            points=points,
            question=_require(spec, "question", spot, str),
            criteria=criteria,
            caps=caps,
            lexicon=lexicon,
            on_topic=tuple(spec.get("on_topic", [])),
            carry=tuple(spec.get("carry", [])),
            subjects=tuple(subjects),
        )
    return questions


def load_rubrics(path: Path) -> dict[str, QuestionRubric]:
    """Load an assignment's rubric file; every problem is a RubricError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RubricError(f"{path}: {error}") from None
    return parse_rubrics(data, where=str(path))
