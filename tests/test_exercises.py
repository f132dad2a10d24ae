"""The nbgrader course: sources valid and normalised, releases that leak nothing, solutions worth full marks.

These tests drive nbgrader itself, in a private copy of the course, as an instructor who
uses only nbgrader would.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import nbgrader
from leaks import assert_nothing_hidden_released, cells_by_id
from nbgrader.api import Gradebook

from autograder.notebooks.normalise import normalised
from autograder.rubric import load_rubrics, score_answer

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "exercises"
SOURCES = sorted(COURSE.glob("source/*/*.ipynb"))
ASSIGNMENT_IDS = [path.parent.name for path in SOURCES]


@pytest.fixture(scope="module")
def course(released_course: Path) -> Path:
    """A private copy of the course with every assignment released."""
    return released_course


@pytest.fixture(scope="module")
def validation() -> dict[Path, str]:
    """What ``nbgrader validate`` says of each source notebook, from one run over all of them."""
    result = nbgrader(COURSE, "validate", *map(str, SOURCES), interleaved=True)
    said: dict[Path, str] = {}
    current: Path | None = None
    for line in result.stdout.splitlines():
        if match := re.search(r"Validating '(.+)'", line):
            current = Path(match.group(1))
        elif current is not None:
            said[current] = said.get(current, "") + line + "\n"
    return said


@pytest.fixture(scope="module")
def autograded(course: Path) -> Path:
    """Every instructor solution submitted by 'instructor' and autograded by nbgrader, in one run."""
    for assignment in ASSIGNMENT_IDS:
        submitted = course / "submitted" / "instructor" / assignment
        submitted.mkdir(parents=True)
        shutil.copy(course / "source" / assignment / f"{assignment}.ipynb", submitted / f"{assignment}.ipynb")
        (submitted / "timestamp.txt").write_text("2026-11-01 12:00:00.000000 UTC")
    result = nbgrader(course, "autograde", "*", "--force")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return course / "gradebook.db"


def test_every_chapter_has_an_assignment() -> None:
    assert ASSIGNMENT_IDS, "no assignment in exercises/source"
    assert all(path.stem == path.parent.name for path in SOURCES), "a source notebook is named after its folder"


@pytest.mark.parametrize("source", SOURCES, ids=ASSIGNMENT_IDS)
def test_source_is_in_normalised_form(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert text == normalised(text), f"run `make normalise` to rewrite {source.name}"
    nb = nbformat.reads(text, as_version=4)
    assert all(cell.get("outputs", []) == [] for cell in nb.cells), "outputs are committed"
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids)) and all(not i.startswith(("cell-", "0")) for i in ids), "cell ids are stable names"


@pytest.mark.parametrize("source", SOURCES, ids=ASSIGNMENT_IDS)
def test_nbgrader_validates_the_source(validation: dict[Path, str], source: Path) -> None:
    said = validation.get(source.resolve(), "nbgrader did not validate it")
    assert "Success! Your notebook passes all the tests." in said, said


@pytest.mark.parametrize("assignment", ASSIGNMENT_IDS)
def test_release_contains_no_solution_hidden_test_or_rubric(course: Path, assignment: str) -> None:
    released_text = (course / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
    source = course / "source" / assignment / f"{assignment}.ipynb"
    assert_nothing_hidden_released(source, released_text, course / "rubrics" / f"{assignment}.yaml")


@pytest.mark.parametrize("assignment", ASSIGNMENT_IDS)
def test_nbgrader_autograde_gives_the_solution_full_marks_on_code_questions(autograded: Path, assignment: str) -> None:
    with Gradebook(f"sqlite:///{autograded}") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, "instructor")
        rows = [(g.name, g.auto_score, g.max_score) for g in notebook.grades if g.cell_type == "code"]
    assert rows, "no autograded code question in the gradebook"
    assert [(name, score) for name, score, top in rows if score != top] == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_IDS)
def test_instructor_answers_to_written_questions_score_full_marks(assignment: str) -> None:
    rubric_file = COURSE / "rubrics" / f"{assignment}.yaml"
    rubrics = load_rubrics(rubric_file)
    cells = cells_by_id(nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4))
    written = {gid: cell for gid, cell in cells.items() if cell.cell_type == "markdown" and gid in rubrics}
    assert set(written) == set(rubrics), "every rubric has a written question, and every written question a rubric"
    for grade_id, cell in written.items():
        score = score_answer(rubrics[grade_id], cell.source)
        assert score.points == rubrics[grade_id].points, f"{grade_id}:\n{score.feedback()}"
        assert cell.metadata["nbgrader"]["points"] == rubrics[grade_id].points


def test_chapter_one_asks_the_three_review_questions_with_four_points_each() -> None:
    cells = cells_by_id(nbformat.read(COURSE / "source" / "ch01-balancing" / "ch01-balancing.ipynb", as_version=4))
    for grade_id in ("balancing-vs-bandwagoning", "balancing-and-stability", "balancing-21st-century"):
        meta = cells[grade_id].metadata["nbgrader"]
        assert cells[grade_id].cell_type == "markdown"
        assert meta["solution"] and meta["grade"] and meta["points"] == 4


def test_released_notebooks_are_valid_json_notebooks(course: Path) -> None:
    for path in course.glob("release/*/*.ipynb"):
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        assert json.loads(path.read_text(encoding="utf-8"))["nbformat"] == 4
