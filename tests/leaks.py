"""What a student's copy of a notebook must never hold: a solution, a hidden test or rubric text.

Shared by the checks of nbgrader's release folder and of the site's downloads, which nbgrader
releases separately at build time, so that both are held to the same rule.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.rubric import load_rubrics

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "MARK SCHEME")


def cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells if "nbgrader" in cell.metadata}


def assert_nothing_hidden_released(source_path: Path, released_text: str, rubric_file: Path) -> None:
    """Fail if ``released_text`` (a student notebook) shows anything of the instructor's source or rubric."""
    for marker in MARKERS:
        assert marker not in released_text
    source = nbformat.read(source_path, as_version=4)
    released = cells_by_id(nbformat.reads(released_text, as_version=4))
    for grade_id, cell in cells_by_id(source).items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution"):
            assert released[grade_id].source.strip() != cell.source.strip(), f"{grade_id}: solution released"
            if cell.cell_type == "markdown":
                assert released[grade_id].source == "YOUR ANSWER HERE"
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            released_cell = released[grade_id].source
            for line in (line.strip() for line in hidden.splitlines()):
                if len(line) > 3:  # a lone bracket also stands in the public part
                    assert line not in released_cell, f"{grade_id}: hidden test line released: {line}"
    if rubric_file.exists():
        for rubric in load_rubrics(rubric_file).values():
            for criterion in rubric.criteria:
                assert criterion.hint not in released_text and criterion.met not in released_text
