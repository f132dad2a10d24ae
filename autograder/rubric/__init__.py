"""Rubric scoring of free-text answers: load a rubric, score an answer, explain the score."""

from autograder.rubric.model import Criterion, QuestionRubric, RubricError, load_rubrics
from autograder.rubric.score import AnswerScore, CriterionResult, score_answer

__all__ = [
    "AnswerScore",
    "Criterion",
    "CriterionResult",
    "QuestionRubric",
    "RubricError",
    "load_rubrics",
    "score_answer",
]
