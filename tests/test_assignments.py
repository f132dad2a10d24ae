"""Every assignment, graded by the autograder as a class would submit it.

For each assignment in ``exercises/source``: the instructor's solution earns full marks, the
notebook nbgrader releases earns zero when handed in unanswered, and a prepared partly-right
submission (``tests/data/partly-right/<assignment>.yaml``) earns the points its author worked
out by hand, question by question.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import COURSE

from autograder.course import Course
from autograder.grading import grade_notebook

SOURCES = sorted(COURSE.glob("source/*/*.ipynb"))
ASSIGNMENTS = [path.parent.name for path in SOURCES]
PARTLY_RIGHT = Path(__file__).resolve().parent / "data" / "partly-right"


@pytest.fixture(scope="module")
def releases(released_course: Path) -> Path:
    """Every assignment as nbgrader releases it to students, in a private copy of the course."""
    return released_course / "release"


def released(releases: Path, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(releases / assignment / f"{assignment}.ipynb", as_version=4)


def test_every_assignment_has_a_partly_right_submission() -> None:
    prepared = sorted(path.stem for path in PARTLY_RIGHT.glob("*.yaml"))
    assert prepared == ASSIGNMENTS


@pytest.mark.parametrize("source", SOURCES, ids=ASSIGNMENTS)
def test_the_instructor_solution_earns_full_marks(course: Course, source: Path) -> None:
    result = grade_notebook(source, course)
    assert result.graded, result.problems
    assert [(q.grade_id, q.points) for q in result.questions if q.points != q.max_points] == []
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_unanswered_release_earns_zero(course: Course, releases: Path, assignment: str, tmp_path: Path) -> None:
    blank = tmp_path / "blank.ipynb"
    nbformat.write(released(releases, assignment), blank)
    result = grade_notebook(blank, course)
    assert result.graded, result.problems
    assert [(q.grade_id, q.points) for q in result.questions if q.points] == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_partly_right_submission_earns_the_expected_points(
    course: Course, releases: Path, assignment: str, tmp_path: Path
) -> None:
    prepared = yaml.safe_load((PARTLY_RIGHT / f"{assignment}.yaml").read_text(encoding="utf-8"))
    nb = released(releases, assignment)
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in nb.cells}
    assert set(prepared["answers"]) <= set(cells), "the prepared answers name cells the release does not have"
    for grade_id, source in prepared["answers"].items():
        cells[grade_id].source = source
    submission = tmp_path / "submission.ipynb"
    nbformat.write(nb, submission)
    result = grade_notebook(submission, course)
    assert result.graded, result.problems
    assert {q.grade_id: round(q.points, 2) for q in result.questions} == prepared["expected"]
    assert 0 < result.score < result.max_score
