"""The course as the grader sees it: each assignment's instructor source, rubrics and published answers.

Everything here is instructor material read from the course directory. None of it is passed
to the sandbox. A submission is matched to its assignment by the nbgrader grade_ids it
carries, so a renamed file or one in an odd folder is still graded against the right source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat

from autograder.load import SubmissionError
from autograder.rubric import QuestionRubric, load_rubrics

MIN_SHARED_IDS = 0.5
MODEL_ANSWER = re.compile(r"^:::\{dropdown\} Model answer\s*\n(.*?)^:::\s*$", re.M | re.S)


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [meta["grade_id"] for cell in nb.cells if (meta := nbgrader_meta(cell)).get("grade_id")]


@dataclass(frozen=True)
class Assignment:
    id: str
    source: nbformat.NotebookNode
    rubrics: dict[str, QuestionRubric]
    published_answers: tuple[str, ...]
    data_dir: Path | None = None  # the public data files nbgrader releases with the notebook

    @cached_property
    def cells(self) -> dict[str, nbformat.NotebookNode]:
        return {
            nbgrader_meta(cell)["grade_id"]: cell for cell in self.source.cells if nbgrader_meta(cell).get("grade_id")
        }

    @property
    def max_score(self) -> float:
        return sum(
            float(nbgrader_meta(c).get("points", 0)) for c in self.cells.values() if nbgrader_meta(c).get("grade")
        )


class Course:
    """An nbgrader course directory (``exercises/``) and the book whose model answers it publishes."""

    def __init__(self, root: Path, book: Path | None = None) -> None:
        self.root = root
        self.book = book if book is not None else root.parent / "book"
        if not (root / "source").is_dir():
            raise FileNotFoundError(f"{root} is not an nbgrader course: it has no source/ folder")

    @cached_property
    def assignments(self) -> dict[str, Assignment]:
        found = {}
        for path in sorted(self.root.glob("source/*/*.ipynb")):
            assignment_id = path.parent.name
            rubric_file = self.root / "rubrics" / f"{assignment_id}.yaml"
            chapter = self.book / f"{assignment_id}.md"
            found[assignment_id] = Assignment(
                id=assignment_id,
                source=nbformat.read(path, as_version=4),
                rubrics=load_rubrics(rubric_file) if rubric_file.exists() else {},
                published_answers=tuple(
                    MODEL_ANSWER.findall(chapter.read_text(encoding="utf-8")) if chapter.exists() else ()
                ),
                data_dir=(path.parent / "data").resolve() if (path.parent / "data").is_dir() else None,
            )
        return found

    def identify(self, nb: nbformat.NotebookNode, claimed: str | None = None) -> Assignment:
        """The assignment ``nb`` belongs to, from its grade_ids (or ``claimed``, if they agree)."""
        ids = set(grade_ids(nb))
        overlap = {a.id: len(ids & set(a.cells)) / len(a.cells) for a in self.assignments.values() if a.cells}
        best = max(overlap, key=overlap.get, default=None)
        if claimed is not None:
            if claimed not in self.assignments:
                raise SubmissionError(f"there is no assignment {claimed!r} in this course")
            if best is not None and best != claimed and overlap[best] > overlap[claimed]:
                raise SubmissionError(f"this is a notebook of {best}, not of {claimed}")
            return self.assignments[claimed]
        if best is None or overlap[best] < MIN_SHARED_IDS:
            raise SubmissionError("this notebook is not one of the course's assignments (its graded cells are missing)")
        return self.assignments[best]
