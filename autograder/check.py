"""The student's self-check before submitting, from the notebook alone.

It needs no course files: it runs the notebook's code cells, including its public test
cells, in the sandbox, and reports which questions are unanswered, which public tests fail,
and what is wrong with the file's form. It cannot reveal hidden tests, rubrics or model
answers, because a student's copy contains none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import compute_checksum

from autograder.course import nbgrader_meta
from autograder.grading import UNANSWERED
from autograder.load import SubmissionError, read_notebook
from autograder.sandbox import Limits, run_cells


@dataclass(frozen=True)
class CheckReport:
    unanswered: list[str]
    failing: list[tuple[str, str]]  # (test cell, message)
    passing: list[str]
    problems: list[str]

    @property
    def ready(self) -> bool:
        return not (self.unanswered or self.failing or self.problems)

    def text(self) -> str:
        lines = []
        lines += [f"unanswered: {gid}" for gid in self.unanswered]
        lines += [f"public test failed: {gid}: {message}" for gid, message in self.failing]
        lines += [f"public test passed: {gid}" for gid in self.passing]
        lines += [f"problem: {problem}" for problem in self.problems]
        lines.append("Ready to submit." if self.ready else "Not ready yet: see above.")
        return "\n".join(lines)


def check_notebook(path: Path, limits: Limits | None = None) -> CheckReport:
    try:
        nb = read_notebook(path)
    except SubmissionError as error:
        return CheckReport([], [], [], [str(error)])
    problems, unanswered, tests = [], [], []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if meta.get("locked") and "checksum" in meta and meta["checksum"] != compute_checksum(cell):
            problems.append(f"the locked cell {grade_id!r} was changed; undo the change before you submit")
        if meta.get("solution") and cell.cell_type == "markdown" and cell.source.strip() in UNANSWERED:
            unanswered.append(grade_id)
        if meta.get("grade") and cell.cell_type == "code":
            tests.append(grade_id)
    cells = [
        (nbgrader_meta(c).get("grade_id") or f"cell-{i}", c.source)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
    ]
    run = run_cells(cells, [], limits)
    for cell_id, error in run.errors.items():
        if "NotImplementedError" in error and cell_id not in tests:
            unanswered.append(cell_id)
    failing = [(gid, run.errors[gid]) for gid in tests if gid in run.errors]
    passing = [gid for gid in tests if gid not in run.errors]
    if run.failure:
        problems.append(run.failure)
    return CheckReport(unanswered, failing, passing if not run.failure else [], problems)
