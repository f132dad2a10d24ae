"""Answers written as literals are read without running code, and graded exactly as if run."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import CH01_SOURCE

from autograder.code_tests import rebuild
from autograder.grading import grade_notebook
from autograder.literal import encoded, literal_answers
from autograder.sandbox import run_cells

CELLS = ['anarchy_answer = "b"', 'internal_balancing = {"a", "c"}\n"""a note"""', "cases = {'x': None, 'y': (1, 2.5)}"]


def test_literal_cells_give_the_values_running_them_gives() -> None:
    names = ["anarchy_answer", "internal_balancing", "cases"]
    read = literal_answers(CELLS)
    assert read is not None
    ran = run_cells([(str(i), source) for i, source in enumerate(CELLS)], names)
    assert json.dumps(encoded(read, names), sort_keys=True) == json.dumps(ran.values, sort_keys=True)
    assert rebuild(encoded(read, names)["internal_balancing"]) == {"a", "c"}


@pytest.mark.parametrize(
    "source",
    [
        "import os\nx = 1",
        "x = 10 ** 10 ** 10",  # arithmetic is code: it goes to the sandbox and its CPU limit
        "x = len('abc')",
        "x, y = 1, 2",
        "x = 1\ndel x",
        "def f():\n    return 1",
        "x = (",
    ],
)
def test_anything_but_literal_assignments_goes_to_the_sandbox(source: str) -> None:
    assert literal_answers([source]) is None


def test_a_notebook_of_literal_answers_is_graded_without_running_code(course, tmp_path) -> None:
    nb = nbformat.read(CH01_SOURCE, as_version=4)
    path = tmp_path / "literal.ipynb"
    nbformat.write(nb, path)
    fast = grade_notebook(path, course)
    assert fast.isolation == ("no-code-run",) and fast.score == fast.max_score
    nb.cells[2].source += "\nimport math"  # one statement of code: the sandbox runs the notebook
    nbformat.write(nb, path)
    slow = grade_notebook(path, course)
    assert "no-code-run" not in slow.isolation
    assert [(q.grade_id, q.points) for q in slow.questions] == [(q.grade_id, q.points) for q in fast.questions]
