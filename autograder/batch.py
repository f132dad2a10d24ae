"""Grades a whole class in one command, recording every submission as graded or as failed with its reason.

Each submission is graded and committed on its own, so a batch killed part-way (even with
SIGKILL) loses at most the one in flight, and a rerun grades only what has no ledger row
for the same file. Two batches at once serialise on the database's own locking.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
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

    Notebooks are graded on ``workers`` threads (each one waits on its own sandbox process);
    the gradebook is written only from this thread, one committed submission at a time.
    """
    summary = BatchSummary()
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as extract_to:
        found = discover(path, Path(extract_to))
        summary.failed += list(found.refused)
        summary.superseded = [f"{s.student}: {s.path.name}" for s in found.superseded]
        book = gb.open_gradebook(db_url)
        try:
            for assignment in course.assignments.values():
                gb.ensure_assignment(book, assignment)
            book.db.commit()
            late_step = gb.late_penalties(course.root)
            bar = tqdm(total=len(found.submissions), desc="grading", unit="nb", disable=not progress, file=sys.stderr)
            with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
                pending = {}
                for submission in found.submissions:
                    digest = sha256_of(submission.path)
                    try:
                        assignment_id = submission.assignment or course.identify(read_notebook(submission.path)).id
                    except SubmissionError as error:
                        assignment_id = submission.assignment or "unknown"
                        gb.record_failure(
                            book, assignment_id, submission.student, digest, str(submission.path), str(error)
                        )
                        summary.failed.append((submission.student, str(error)))
                        bar.update()
                        continue
                    entry = gb.ledger_entry(book, assignment_id, submission.student)
                    if entry and entry.sha256 == digest and entry.status == "graded" and not force:
                        summary.skipped += 1
                        bar.update()
                        continue
                    future = pool.submit(grade_notebook, submission.path, course, assignment_id, limits, data_dir)
                    pending[future] = (submission, digest, assignment_id)
                for future in as_completed(pending):
                    submission, digest, assignment_id = pending[future]
                    result = future.result()
                    if result.graded:
                        kept = gb.record_result(book, result, submission.student, digest, submission.timestamp)
                        gb.apply_late_penalty(book, assignment_id, submission.student, late_step)
                        summary.overrides_kept += [(submission.student, q) for q in kept]
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
