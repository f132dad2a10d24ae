"""Grades queued uploads, off the web process's request path, with the command line's grader.

Each worker thread claims the oldest queued upload, writes it to a private temporary file,
grades it with ``grade_notebook`` (student code runs only in the sandbox), records the
scores in nbgrader's gradebook (overrides kept) and writes the outcome to the queue row.
Any failure becomes a recorded reason; the thread never dies of a bad submission.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import tempfile
import threading
from pathlib import Path

from sqlalchemy import Engine

from autograder import gradebook as gb
from autograder.course import Course
from autograder.grading import grade_notebook
from autograder.report import results_json
from autograder.service import store

log = logging.getLogger("autograder.service")


class Workers:
    """``count`` grading threads over one queue; ``stop()`` lets each finish its current notebook."""

    def __init__(self, engine: Engine, course: Course, db_url: str, count: int = 2, poll: float = 0.2) -> None:
        self.engine = engine
        self.course = course
        self.db_url = db_url
        self.poll = poll
        self.stopping = threading.Event()
        self.gradebook_lock = threading.Lock()  # nbgrader's Gradebook session is not thread-safe
        self.gradebook = gb.open_gradebook(db_url)
        for assignment in course.assignments.values():
            gb.ensure_assignment(self.gradebook, assignment)
        self.gradebook.db.commit()
        self.late_step = gb.late_penalties(course.root)
        self.threads = [threading.Thread(target=self._run, name=f"grader-{i}", daemon=True) for i in range(count)]

    def start(self) -> None:
        requeued = store.requeue_interrupted(self.engine)
        if requeued:
            log.info("requeued %d submissions interrupted by the last stop", requeued)
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)
        self.gradebook.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                claimed = store.claim_next(self.engine)
            except Exception:
                log.exception("could not read the queue")
                self.stopping.wait(1.0)
                continue
            if claimed is None:
                self.stopping.wait(self.poll)
                continue
            self._grade(*claimed)

    def _grade(self, submission_id: int, assignment: str, filename: str, content: bytes) -> None:
        row = store.submission(self.engine, submission_id)
        if row is None:
            return
        try:
            with tempfile.TemporaryDirectory(prefix="autograder-upload-") as private:
                path = Path(private) / "submission.ipynb"
                path.write_bytes(content)
                result = grade_notebook(path, self.course, assignment)
            if not result.graded:
                store.finish(self.engine, submission_id, status="failed", reason=result.reason)
                return
            late = self._late_seconds(assignment, row.uploaded_at)
            with self.gradebook_lock:
                penalty = gb.record_result(
                    self.gradebook,
                    result,
                    row.student,
                    hashlib.sha256(content).hexdigest(),
                    row.uploaded_at,
                    self.late_step,
                ).late_penalty
            detail = results_json(result)
            detail["late_penalty"] = penalty
            for test, question in zip(detail["tests"], result.questions, strict=True):
                test["criteria"] = [{"id": cid, "met": met} for cid, met, _ in question.criteria]
            store.finish(
                self.engine,
                submission_id,
                status="graded",
                score=result.score,
                max_score=result.max_score,
                late_seconds=late,
                result=json.dumps(detail),
            )
        except Exception as error:  # recorded, never lost: the student sees the reason
            log.exception("grading submission %s failed", submission_id)
            store.finish(self.engine, submission_id, status="failed", reason=f"the grader failed: {error}"[:500])

    def _late_seconds(self, assignment: str, uploaded: dt.datetime) -> float | None:
        """Seconds past nbgrader's due date for the assignment, if it has one."""
        with self.gradebook_lock:
            due = self.gradebook.find_assignment(assignment).duedate
        return max(0.0, (uploaded - due).total_seconds()) if due else None
