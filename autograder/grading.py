"""Grades one submitted notebook: load, identify, check integrity, execute, extract, score.

Every step's failure becomes part of the result rather than an exception: a file that is
not a notebook is "not graded" with the reason, a deleted answer scores zero with a
message, code that crashes or runs forever loses the answers it did not produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import integrity
from autograder.code_tests import ProbeFailure, answer_names, probes, rebuild, run_test
from autograder.course import Assignment, Course, nbgrader_meta
from autograder.literal import encoded, literal_answers
from autograder.load import SubmissionError, read_notebook
from autograder.rubric import score_answer
from autograder.sandbox import Limits, SandboxResult, run_cells

UNANSWERED = {"", "YOUR ANSWER HERE"}


@dataclass(frozen=True)
class QuestionResult:
    grade_id: str
    kind: str  # "code" or "written"
    points: float
    max_points: float
    feedback: str
    flags: tuple[str, ...] = ()
    criteria: tuple[tuple[str, bool, str], ...] = ()  # (criterion id, met, feedback) for written answers
    answer: str = ""  # the student's written answer, as submitted


@dataclass(frozen=True)
class NotebookResult:
    submission: str
    assignment: str | None
    graded: bool
    reason: str = ""
    questions: tuple[QuestionResult, ...] = ()
    problems: tuple[integrity.Problem, ...] = ()
    execution: str = ""
    isolation: tuple[str, ...] = field(default_factory=tuple)

    @property
    def score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def needs_review(self) -> bool:
        return any(flag in {"other-language", "near-copy"} for q in self.questions for flag in q.flags)


def first_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    cells: dict[str, nbformat.NotebookNode] = {}
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and grade_id not in cells:
            cells[grade_id] = cell
    return cells


def _code_questions(nb: nbformat.NotebookNode, assignment: Assignment, limits: Limits | None, data_dir: Path | None):
    tests = {gid: c for gid, c in assignment.cells.items() if c.cell_type == "code" and nbgrader_meta(c).get("grade")}
    if not tests:
        return [], "", ()
    to_run = [
        (nbgrader_meta(cell).get("grade_id") or f"cell-{i}", cell.source)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") not in tests
    ]
    exports = sorted(set().union(*(answer_names(cell.source) for cell in tests.values())))
    calls = sorted(set().union(*(probes(cell.source) for cell in tests.values())))
    literal = None if calls else literal_answers(source for _, source in to_run)
    if literal is not None:  # nothing to run: every answer is a literal
        run = SandboxResult(encoded(literal, exports), {}, enforced=("no-code-run",))
    else:
        run = run_cells(to_run, exports, limits, data_dir, probes=calls)
    answers = {name: rebuild(value) for name, value in run.values.items()}
    probed: dict[str, object] = {call: rebuild(value) for call, value in run.probes.items()}
    probed |= {call: ProbeFailure(error) for call, error in run.probe_errors.items()}
    questions = []
    for grade_id, cell in tests.items():
        outcome = run_test(cell.source, answers, float(nbgrader_meta(cell)["points"]), probed)
        questions.append(QuestionResult(grade_id, "code", outcome.points, outcome.max_points, outcome.message))
    notes = [f"{cell_id}: {error}" for cell_id, error in run.errors.items()]
    if run.failure:
        notes.insert(0, run.failure)
    return questions, "\n".join(notes), run.enforced


def _written_questions(nb: nbformat.NotebookNode, assignment: Assignment) -> list[QuestionResult]:
    submitted = first_cells(nb)
    questions = []
    for grade_id, cell in assignment.cells.items():
        meta = nbgrader_meta(cell)
        if cell.cell_type != "markdown" or not (meta.get("grade") and meta.get("solution")):
            continue
        points = float(meta["points"])
        answer = submitted.get(grade_id)
        if answer is None:
            questions.append(
                QuestionResult(grade_id, "written", 0.0, points, "The answer cell was deleted.", ("deleted",))
            )
            continue
        if answer.source.strip() in UNANSWERED:
            questions.append(QuestionResult(grade_id, "written", 0.0, points, "No answer was given.", ("unanswered",)))
            continue
        rubric = assignment.rubrics.get(grade_id)
        if rubric is None:
            questions.append(
                QuestionResult(grade_id, "written", 0.0, points, "Graded by your instructor.", ("manual",))
            )
            continue
        score = score_answer(rubric, answer.source, assignment.published_answers)
        questions.append(
            QuestionResult(
                grade_id,
                "written",
                score.points,
                score.max_points,
                score.feedback(),
                score.flags,
                tuple((c.id, c.met, c.feedback) for c in score.criteria),
                answer.source,
            )
        )
    return questions


def grade_notebook(
    path: Path, course: Course, claimed: str | None = None, limits: Limits | None = None, data_dir: Path | None = None
) -> NotebookResult:
    """Grade one notebook file; never raises for anything wrong with the submission itself.

    The student's code sees ``data_dir`` as ``data/``; by default, the assignment's own public
    data (``source/<assignment>/data/``), as a student who downloads the assignment has it."""
    try:
        nb = read_notebook(path)
        assignment = course.identify(nb, claimed)
    except SubmissionError as error:
        return NotebookResult(str(path), claimed, False, str(error))
    problems = tuple(integrity.check(nb, assignment))
    code, execution, isolation = _code_questions(nb, assignment, limits, data_dir or assignment.data_dir)
    written = _written_questions(nb, assignment)
    order = list(assignment.cells)
    questions = tuple(sorted(code + written, key=lambda q: order.index(q.grade_id)))
    return NotebookResult(str(path), assignment.id, True, "", questions, problems, execution, isolation)
