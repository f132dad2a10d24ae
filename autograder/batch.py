"""Grades a whole class in one command, recording every submission as graded or as failed with its reason.

Each submission is graded and committed on its own, so a batch killed part-way (even with
SIGKILL) loses at most the one in flight, and a rerun grades only what has no ledger row
for the same file. Two batches at once serialise on the database's own locking.

Notebooks are graded in worker processes, one per core, while this process records the
results: scoring written answers is Python work, which threads would take in turns.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from autograder import gradebook as gb
from autograder.course import Course
from autograder.grading import NotebookResult, grade_notebook
from autograder.load import SubmissionError, read_notebook
from autograder.sandbox import Limits
from autograder.submissions import discover


@dataclass
class BatchSummary:
    graded: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (student or file, reason)
    superseded: list[str] = field(default_factory=list)
    overrides_kept: list[tuple[str, str]] = field(default_factory=list)  # (student, question)
    results: list[tuple[str, NotebookResult]] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"graded: {self.graded}", f"already graded, skipped: {self.skipped}", f"failed: {len(self.failed)}"]
        lines += [f"  {who}: {reason}" for who, reason in self.failed]
        if self.superseded:
            lines.append(f"superseded by a later submission (kept, not graded): {len(self.superseded)}")
        if self.overrides_kept:
            lines.append(f"instructor overrides kept: {len(self.overrides_kept)}")
        return "\n".join(lines)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_worker_course: Course | None = None


def _start_worker(course: Course) -> None:
    """Give a grading process the batch's course (inherited by fork, with its rubrics already read)."""
    global _worker_course
    _worker_course = course


def _grade(path: Path, assignment_id: str, limits: Limits | None, data_dir: Path | None) -> NotebookResult:
    if _worker_course is None:
        raise RuntimeError("a grading process was started without its course")
    return grade_notebook(path, _worker_course, assignment_id, limits, data_dir)


def _ready() -> None:
    """Nothing: submitted once per worker to start every process before the gradebook is opened."""


def grade_all(
    path: Path,
    course: Course,
    db_url: str,
    force: bool = False,
    limits: Limits | None = None,
    data_dir: Path | None = None,
    progress: bool = True,
    workers: int | None = None,
) -> BatchSummary:
    """Grade every submission under ``path`` into the gradebook at ``db_url``.

    Notebooks are graded in ``workers`` processes (forked before the gradebook is opened, so
    none inherits a database connection); the gradebook is written only from this process,
    one committed submission at a time.
    """
    summary = BatchSummary()
    assignments = course.assignments  # read once here, so that every worker inherits them
    processes = workers or os.cpu_count() or 1
    with (
        tempfile.TemporaryDirectory(prefix="autograder-batch-") as extract_to,
        ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(course,),
        ) as pool,
    ):
        for started in [pool.submit(_ready) for _ in range(processes)]:
            started.result()
        found = discover(path, Path(extract_to))
        summary.failed += list(found.refused)
        summary.superseded = [f"{s.student}: {s.path.name}" for s in found.superseded]
        book = gb.open_gradebook(db_url)
        try:
            for assignment in assignments.values():
                gb.ensure_assignment(book, assignment)
            book.db.commit()
            late_step = gb.late_penalties(course.root)
            bar = tqdm(total=len(found.submissions), desc="grading", unit="nb", disable=not progress, file=sys.stderr)
            pending = {}
            for submission in found.submissions:
                digest = sha256_of(submission.path)
                try:
                    assignment_id = submission.assignment or course.identify(read_notebook(submission.path)).id
                except SubmissionError as error:
                    assignment_id = submission.assignment or "unknown"
                    gb.record_failure(book, assignment_id, submission.student, digest, str(submission.path), str(error))
                    summary.failed.append((submission.student, str(error)))
                    bar.update()
                    continue
                entry = gb.ledger_entry(book, assignment_id, submission.student)
                if entry and entry.sha256 == digest and entry.status == "graded" and not force:
                    summary.skipped += 1
                    bar.update()
                    continue
                future = pool.submit(_grade, submission.path, assignment_id, limits, data_dir)
                pending[future] = (submission, digest, assignment_id)
            for future in as_completed(pending):
                submission, digest, assignment_id = pending[future]
                result = future.result()
                if result.graded:
                    recorded = gb.record_result(
                        book, result, submission.student, digest, submission.timestamp, late_step
                    )
                    summary.overrides_kept += [(submission.student, q) for q in recorded.overrides_kept]
                    summary.graded += 1
                    summary.results.append((submission.student, result))
                else:
                    gb.record_failure(
                        book, assignment_id, submission.student, digest, str(submission.path), result.reason
                    )
                    summary.failed.append((submission.student, result.reason))
                bar.update()
            bar.close()
        finally:
            book.close()
    return summary


def export_csv(db_url: str, out: Path) -> int:
    """One row per student and assignment: each question's score (the override where there is one)."""
    book = gb.open_gradebook(db_url)
    rows = 0
    try:
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["student", "assignment", "question", "score", "max_score", "overridden"])
            for assignment in book.assignments:
                for submission in book.assignment_submissions(assignment.name):
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            writer.writerow(
                                [
                                    submission.student_id,
                                    assignment.name,
                                    grade.name,
                                    grade.score,
                                    grade.max_score,
                                    grade.manual_score is not None,
                                ]
                            )
                            rows += 1
            ledger = book.db.execute(gb.LEDGER.select().where(gb.LEDGER.c.status == "failed")).all()
            for row in ledger:
                writer.writerow([row.student, row.assignment, "", "", "", f"not graded: {row.reason}"])
    finally:
        book.close()
    return rows
