"""Detects tampering with the cells a student must not change, and reports it instead of crashing.

The grader never runs or trusts a submission's test cells: it grades with the instructor's
source. Tampering therefore cannot raise a score, but an instructor wants to know about it,
and a deleted or duplicated answer cell changes what can be graded.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import nbformat

from autograder.course import Assignment, grade_ids, nbgrader_meta

HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)


@dataclass(frozen=True)
class Problem:
    grade_id: str
    kind: str  # deleted, edited, duplicated, unknown, moved, missing-answer
    message: str


def released_text(cell: nbformat.NotebookNode) -> str:
    """What a locked cell says in the student's copy: the source without its hidden tests."""
    return " ".join(HIDDEN_TESTS.sub("", cell.source).split())


def check(nb: nbformat.NotebookNode, assignment: Assignment) -> list[Problem]:
    problems: list[Problem] = []
    submitted_ids = grade_ids(nb)
    counts = Counter(submitted_ids)
    cells = {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}

    for grade_id, count in counts.items():
        if count > 1:
            problems.append(
                Problem(grade_id, "duplicated", f"cell {grade_id!r} appears {count} times; the first is graded")
            )
        if grade_id not in assignment.cells:
            problems.append(Problem(grade_id, "unknown", f"cell {grade_id!r} is not part of {assignment.id}"))

    for grade_id, source_cell in assignment.cells.items():
        meta = nbgrader_meta(source_cell)
        submitted = cells.get(grade_id)
        if submitted is None:
            kind = "missing-answer" if meta.get("solution") else "deleted"
            problems.append(Problem(grade_id, kind, f"cell {grade_id!r} was deleted"))
        elif meta.get("locked") and released_text(submitted) != released_text(source_cell):
            problems.append(Problem(grade_id, "edited", f"locked cell {grade_id!r} was edited; the original is used"))

    expected_order = [gid for gid in assignment.cells if gid in counts]
    seen_order = [gid for gid in dict.fromkeys(submitted_ids) if gid in assignment.cells]
    if seen_order != expected_order:
        problems.append(Problem("", "moved", "cells were moved out of their original order"))
    return problems
