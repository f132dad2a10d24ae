"""Records results in nbgrader's own gradebook, so formgrader and ``nbgrader export`` see them.

Scores go into nbgrader's ``auto_score``; an instructor's override is nbgrader's
``manual_score``, which a regrade never touches. Feedback on written answers goes into the
solution cell's ``auto_comment``. Besides nbgrader's tables we keep one of our own,
``autograder_ledger``: one row per (assignment, student) saying which file was graded
(by its SHA-256), when, and whether it was graded or why not. A rerun uses it to skip work
already done, and an instructor can see every submission that was not graded, and why.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.dbutil import ALEMBIC_DIR
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

from autograder.course import Assignment, nbgrader_meta
from autograder.grading import NotebookResult

_metadata = MetaData()
LEDGER = Table(
    "autograder_ledger",
    _metadata,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("file", Text, nullable=False),
    Column("status", String(16), nullable=False),  # graded | failed
    Column("reason", Text, nullable=False, default=""),
    Column("recorded_at", DateTime, nullable=False),
)
REVIEW_FLAGS = {"other-language", "near-copy", "manual"}


@dataclass(frozen=True)
class LedgerEntry:
    sha256: str
    status: str
    reason: str


def _stamp_new_database(db_url: str) -> None:
    """Record nbgrader's schema version in a new, empty database, as nbgrader would.

    nbgrader stamps a new gradebook by running the ``alembic heads`` command, which takes
    seconds to start; reading the same head from nbgrader's migration scripts here gives the
    same stamp at once, and nbgrader then sees an existing database and only adds its tables.
    """
    engine = create_engine(db_url)
    try:
        if inspect(engine).get_table_names():
            return
        head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": head})
    finally:
        engine.dispose()


def open_gradebook(db_url: str) -> Gradebook:
    _stamp_new_database(db_url)
    gradebook = Gradebook(db_url)
    if gradebook.engine.dialect.name == "sqlite":
        # WAL lets readers (formgrader, a second batch) work while a batch writes, and NORMAL
        # sync keeps every commit atomic and crash-safe without an fsync per submission.
        with gradebook.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        event.listen(gradebook.engine, "connect", _sqlite_pragmas)
        gradebook.db.execute(text("PRAGMA synchronous=NORMAL"))
    _metadata.create_all(gradebook.engine)
    return gradebook


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def ledger_entry(gradebook: Gradebook, assignment: str, student: str) -> LedgerEntry | None:
    row = gradebook.db.execute(
        select(LEDGER.c.sha256, LEDGER.c.status, LEDGER.c.reason).where(
            LEDGER.c.assignment == assignment, LEDGER.c.student == student
        )
    ).first()
    return LedgerEntry(*row) if row else None


def _write_ledger(
    gradebook: Gradebook, assignment: str, student: str, sha256: str, file: str, status: str, reason: str
) -> None:
    values = {
        "assignment": assignment,
        "student": student,
        "sha256": sha256,
        "file": file,
        "status": status,
        "reason": reason,
        "recorded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
    # Delete then insert, in the caller's transaction: portable to every database nbgrader supports.
    gradebook.db.execute(delete(LEDGER).where(LEDGER.c.assignment == assignment, LEDGER.c.student == student))
    gradebook.db.execute(insert(LEDGER).values(**values))


def ensure_assignment(gradebook: Gradebook, assignment: Assignment) -> None:
    """Create the assignment's notebook and cells in the gradebook, as ``generate_assignment`` would."""
    gradebook.update_or_create_assignment(assignment.id)
    gradebook.update_or_create_notebook(assignment.id, assignment.id)
    for grade_id, cell in assignment.cells.items():
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            gradebook.update_or_create_grade_cell(
                grade_id, assignment.id, assignment.id, max_score=float(meta["points"]), cell_type=cell.cell_type
            )
        if meta.get("solution"):
            gradebook.update_or_create_solution_cell(grade_id, assignment.id, assignment.id)


def late_penalties(course_root: Path) -> AssignLatePenalties:
    """nbgrader's late-penalty step, configured from the course's nbgrader_config.py as autograde would be."""
    config_file = course_root / "nbgrader_config.py"
    config = PyFileConfigLoader(config_file.name, path=str(course_root)).load_config() if config_file.exists() else None
    step = AssignLatePenalties(config=config) if config is not None else AssignLatePenalties()
    step.init_plugin()
    return step


def _late_penalty(gradebook: Gradebook, submission, notebook, student: str, step: AssignLatePenalties) -> float | None:
    """Set the submission's late penalty from nbgrader's due date and plugin, as ``nbgrader autograde`` does."""
    notebook.late_submission_penalty = None
    if submission.total_seconds_late > 0:
        penalty = step.plugin_inst.late_submission_penalty(student, notebook.score, submission.total_seconds_late)
        if penalty is not None:
            notebook.late_submission_penalty = min(max(float(penalty), 0.0), notebook.score)
    return notebook.late_submission_penalty


@dataclass(frozen=True)
class Recorded:
    overrides_kept: list[str]  # the questions whose instructor override was kept
    late_penalty: float | None


def record_failure(gradebook: Gradebook, assignment: str, student: str, sha256: str, file: str, reason: str) -> None:
    _write_ledger(gradebook, assignment, student, sha256, file, "failed", reason)
    gradebook.db.commit()


def record_result(
    gradebook: Gradebook,
    result: NotebookResult,
    student: str,
    sha256: str,
    timestamp: dt.datetime | None,
    late_step: AssignLatePenalties,
) -> Recorded:
    """Store one graded notebook, its ledger row and its late penalty in a single transaction."""
    if not (result.graded and result.assignment):
        raise ValueError("only graded results can be recorded; use record_failure for the others")
    assignment = result.assignment
    gradebook.update_or_create_student(student)
    try:
        submission = gradebook.find_submission(assignment, student)
        if timestamp is not None:
            submission.timestamp = timestamp
    except MissingEntry:
        with warnings.catch_warnings():  # nbgrader's add_submission trips SQLAlchemy's autoflush warnings
            warnings.simplefilter("ignore", SAWarning)
            submission = gradebook.add_submission(assignment, student, timestamp=timestamp)
    notebook = gradebook.find_submission_notebook(assignment, assignment, student)
    grades = {grade.name: grade for grade in notebook.grades}
    comments = {comment.name: comment for comment in notebook.comments}
    kept = []
    with gradebook.db.no_autoflush:
        for question in result.questions:
            grade = grades[question.grade_id]
            if grade.manual_score is not None:
                kept.append(question.grade_id)
                continue
            grade.auto_score = question.points
            grade.needs_manual_grade = bool(REVIEW_FLAGS & set(question.flags))
            if question.kind == "written" and question.grade_id in comments:
                comments[question.grade_id].auto_comment = question.feedback
    _write_ledger(gradebook, assignment, student, sha256, result.submission, "graded", "")
    # The penalty depends on the new score and timestamp, which nbgrader computes in SQL: reload them.
    gradebook.db.flush()
    gradebook.db.expire(submission)
    gradebook.db.expire(notebook)
    penalty = _late_penalty(gradebook, submission, notebook, student, late_step)
    gradebook.db.commit()
    return Recorded(kept, penalty)
