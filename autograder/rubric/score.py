"""Scores one free-text answer against its question's rubric, and explains the score.

The result names every criterion as met or missed, with the student's own sentence as
evidence or a hint, and the reasons for any cap, zero or review flag. It never quotes the
rubric's patterns. Scoring is a pure function of the answer and the rubric, so a regrade
gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from autograder.rubric import screens
from autograder.rubric.match import AnswerContext, alternative_met, concept_words, question_echo
from autograder.rubric.model import Alternative, QuestionRubric
from autograder.rubric.text import split_sentences, tokens

NEAR_COPY_SHARE = 0.5
NEAR_COPY_MIN_WORDS = 25
LANGUAGE_NAMES = {
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "zh": "Chinese",
    "ru": "Russian",
    "ja": "Japanese",
    "ar": "Arabic",
}


@dataclass(frozen=True)
class CriterionResult:
    id: str
    points: float
    max_points: float
    met: bool
    feedback: str
    evidence: str | None = None


@dataclass(frozen=True)
class AnswerScore:
    grade_id: str
    points: float
    max_points: float
    criteria: tuple[CriterionResult, ...]
    flags: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        return any(flag in {"other-language", "near-copy"} for flag in self.flags)

    def feedback(self) -> str:
        """Plain-text feedback: the reasons first, then each criterion met or missed."""
        lines = list(self.messages)
        for result in self.criteria:
            mark = "met" if result.met else "missed"
            lines.append(f"[{mark}] {result.feedback} ({result.points:g}/{result.max_points:g})")
        return "\n".join(lines)


def _zero(rubric: QuestionRubric, flags: list[str], messages: list[str]) -> AnswerScore:
    results = tuple(CriterionResult(c.id, 0.0, c.points, False, c.hint) for c in rubric.criteria)
    return AnswerScore(rubric.grade_id, 0.0, rubric.points, results, tuple(flags), tuple(messages))


def _expressed(
    alternatives: Iterable[Alternative], context: AnswerContext, english: bool, about: str | None = None
) -> int | None:
    """Index of the first explaining sentence where one of the alternatives is expressed."""
    for i, sentence in enumerate(context.sentences):
        if screens.explains(sentence, english) and any(alternative_met(alt, context, i, about) for alt in alternatives):
            return i
    return None


def score_answer(rubric: QuestionRubric, answer: str, references: Iterable[str] = ()) -> AnswerScore:
    """Score ``answer``; ``references`` are published model answers that must not be copied."""
    flags: list[str] = []
    messages: list[str] = []
    if len(tokens(answer)) < 3:
        return _zero(rubric, ["unanswered"], ["No answer was given."])

    unbracketed = screens.without_asides_to_grader(answer)
    sentences = split_sentences(unbracketed)
    kept = [s for s in sentences if not screens.addressed_to_grader(s)]
    if len(kept) < len(sentences) or unbracketed != answer:
        flags.append("addressed-to-grader")
        messages.append("Text addressed to the grader was ignored; only your answer to the question is scored.")
    sentences = kept
    text = " ".join(s.text for s in sentences)

    code = screens.language(answer)
    if code != "en":
        flags.append("other-language")
        messages.append(
            f"Your answer seems to be written in {LANGUAGE_NAMES.get(code, code)}: "
            "your instructor will review its score."
        )

    # Whether the answer is about states at all: a negated mention ("no country can ...") still is.
    on_topic = sum(1 for s in sentences if any(concept_words(rubric.lexicon[name], s) for name in rubric.on_topic))
    if code == "en" and (on_topic == 0 or screens.about_another_sense(text, on_topic)):
        return _zero(
            rubric,
            [*flags, "off-topic"],
            [
                *messages,
                "Your answer is not about balancing between states, which is what the question asks.",
            ],
        )
    if code == "en" and screens.restates_question(text, rubric):
        return _zero(
            rubric,
            [*flags, "restates-question"],
            [*messages, "Your answer restates the question without answering it."],
        )

    context = AnswerContext(
        sentences,
        rubric.lexicon,
        rubric.carry,
        rubric.subjects,
        question_echo(rubric.question) if code == "en" else frozenset(),
    )
    results = []
    for criterion in rubric.criteria:
        where = _expressed(criterion.any_of, context, code == "en", criterion.about)
        met = where is not None
        results.append(
            CriterionResult(
                criterion.id,
                criterion.points if met else 0.0,
                criterion.points,
                met,
                criterion.met if met else criterion.hint,
                sentences[where].text if met else None,
            )
        )
    points = sum(r.points for r in results)

    if not any(r.met for r in results) and screens.is_term_list(sentences, code == "en"):
        flags.append("term-list")
        messages.append("Your answer lists terms without explaining them; explain how they answer the question.")

    for cap in rubric.caps:
        if points > cap.max_points and _expressed(cap.any_of, context, code == "en", cap.about) is not None:
            points = cap.max_points
            flags.append(f"capped:{cap.id}")
            messages.append(cap.message)

    if len(tokens(text)) >= NEAR_COPY_MIN_WORDS and any(
        screens.copied_share(text, reference) >= NEAR_COPY_SHARE for reference in references
    ):
        flags.append("near-copy")
        messages.append("Much of this answer repeats a published model answer: your instructor will review it.")

    return AnswerScore(rubric.grade_id, points, rubric.points, tuple(results), tuple(flags), tuple(messages))
