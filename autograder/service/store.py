"""The service's own tables, beside nbgrader's in the same gradebook database.

``service_people`` holds who may sign in: each student of the roster and each instructor,
with a keyed hash of their access code, never the code. ``service_submissions`` is the
durable queue and the history: every upload is a row, with its bytes, from the moment it
arrives; a worker claims a row (``queued`` -> ``grading``), and writes the outcome
(``graded`` or ``failed`` with a reason). A row that was ``grading`` when the service
stopped goes back to ``queued`` on start, so nothing is lost and nothing is recorded twice:
the outcome is written by one conditional update of one row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    update,
)

metadata = MetaData()
PEOPLE = Table(
    "service_people",
    metadata,
    Column("person", String(128), primary_key=True),
    Column("role", String(16), nullable=False),  # student | instructor
    Column("code_digest", String(64), nullable=False, unique=True),
)
SUBMISSIONS = Table(
    "service_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student", String(128), nullable=False, index=True),
    Column("assignment", String(128), nullable=False),
    Column("filename", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # queued | grading | graded | failed
    Column("score", Float),
    Column("max_score", Float),
    Column("late_seconds", Float),
    Column("result", Text),  # results.json of the graded notebook, with per-criterion detail
    Column("reason", Text, nullable=False, default=""),
    Column("graded_at", DateTime),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def connect(db_url: str) -> Engine:
    engine = create_engine(db_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    metadata.create_all(engine)
    return engine


@dataclass(frozen=True)
class Submission:
    id: int
    student: str
    assignment: str
    filename: str
    uploaded_at: dt.datetime
    status: str
    score: float | None
    max_score: float | None
    late_seconds: float | None
    result: dict[str, Any] | None
    reason: str

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        return cls(
            row.id,
            row.student,
            row.assignment,
            row.filename,
            row.uploaded_at,
            row.status,
            row.score,
            row.max_score,
            row.late_seconds,
            json.loads(row.result) if row.result else None,
            row.reason,
        )


COLUMNS = [c for c in SUBMISSIONS.c if c.name != "content"]


def _insert(engine: Engine, **values: Any) -> int:
    with engine.begin() as connection:
        row = connection.execute(insert(SUBMISSIONS).values(uploaded_at=now(), **values).returning(SUBMISSIONS.c.id))
        return int(row.one().id)


def enqueue(engine: Engine, student: str, assignment: str, filename: str, content: bytes) -> int:
    return _insert(
        engine, student=student, assignment=assignment, filename=filename, content=content, status="queued", reason=""
    )


def record_refusal(engine: Engine, student: str, assignment: str, filename: str, content: bytes, reason: str) -> int:
    """An upload that is not a gradable notebook: kept, with the reason, and never queued."""
    return _insert(
        engine,
        student=student,
        assignment=assignment,
        filename=filename,
        content=content,
        status="failed",
        reason=reason,
        graded_at=now(),
    )


def requeue_interrupted(engine: Engine) -> int:
    """Rows a stopped service was grading go back to the queue."""
    with engine.begin() as connection:
        return connection.execute(
            update(SUBMISSIONS).where(SUBMISSIONS.c.status == "grading").values(status="queued")
        ).rowcount


def claim_next(engine: Engine) -> tuple[int, str, str, bytes] | None:
    """Take the oldest queued submission for grading; None when the queue is empty."""
    with engine.begin() as connection:
        while True:
            row = connection.execute(
                select(SUBMISSIONS.c.id, SUBMISSIONS.c.assignment, SUBMISSIONS.c.filename, SUBMISSIONS.c.content)
                .where(SUBMISSIONS.c.status == "queued")
                .order_by(SUBMISSIONS.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            claimed = connection.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == row.id, SUBMISSIONS.c.status == "queued")
                .values(status="grading")
            ).rowcount
            if claimed == 1:
                return int(row.id), row.assignment, row.filename, bytes(row.content)


def finish(engine: Engine, submission_id: int, **values: Any) -> bool:
    """Write a claimed submission's outcome once; False if it was not being graded."""
    values["graded_at"] = now()
    with engine.begin() as connection:
        return (
            connection.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == submission_id, SUBMISSIONS.c.status == "grading")
                .values(**values)
            ).rowcount
            == 1
        )


def submissions_of(engine: Engine, student: str) -> list[Submission]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(*COLUMNS).where(SUBMISSIONS.c.student == student).order_by(SUBMISSIONS.c.id.desc())
        ).all()
    return [Submission.from_row(r) for r in rows]


def submission(engine: Engine, submission_id: int) -> Submission | None:
    with engine.connect() as connection:
        row = connection.execute(select(*COLUMNS).where(SUBMISSIONS.c.id == submission_id)).first()
    return Submission.from_row(row) if row else None


def all_submissions(engine: Engine) -> list[Submission]:
    with engine.connect() as connection:
        rows = connection.execute(select(*COLUMNS).order_by(SUBMISSIONS.c.id)).all()
    return [Submission.from_row(r) for r in rows]


def counts(engine: Engine) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in all_submissions(engine):
        found[item.status] = found.get(item.status, 0) + 1
    return found
