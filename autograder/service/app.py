"""The submission service: students upload notebooks and read their feedback; instructors review.

A Starlette application. It never runs student code: an upload is checked to be a
notebook (JSON parsing only), stored in the durable queue and graded by ``Workers`` in
background threads with the sandboxed grader. Sessions are signed cookies; every form
carries a CSRF token; uploads are size-limited and rate-limited per student; templates
escape everything; responses carry security headers.
"""

from __future__ import annotations

import collections
import csv
import io
import secrets
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import MissingEntry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from autograder.course import Course
from autograder.load import SubmissionError, read_notebook_bytes
from autograder.service import access, store
from autograder.service.worker import Workers

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOADS_PER_MINUTE = 10
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Settings:
    course: Path
    db_url: str
    secret_file: Path
    workers: int = 2


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (kept in memory: a restart resets it)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.events: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            events = self.events[key]
            while events and now - events[0] > self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


def create_app(settings: Settings) -> Starlette:
    course = Course(settings.course)
    engine = store.connect(settings.db_url)
    secret = access.load_secret(settings.secret_file)
    uploads = RateLimiter(UPLOADS_PER_MINUTE)
    sign_ins = RateLimiter(30)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        workers = Workers(engine, course, settings.db_url, settings.workers)
        workers.start()
        app.state.workers = workers
        yield
        workers.stop()

    def person(request: Request) -> tuple[str, str] | None:
        who = request.session.get("person"), request.session.get("role")
        return (who[0], who[1]) if who[0] and who[1] in access.ROLES else None

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(24)
        return request.session["csrf"]

    def csrf_ok(request: Request, form) -> bool:
        sent = str(form.get("csrf", ""))
        return bool(sent) and secrets.compare_digest(sent, request.session.get("csrf", ""))

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        context |= {"csrf": csrf_token(request), "who": person(request)}
        return TEMPLATES.TemplateResponse(request, template, context, status_code=status)

    async def home(request: Request) -> Response:
        who = person(request)
        if who:
            return RedirectResponse("/instructor" if who[1] == "instructor" else "/student", status_code=303)
        return page(request, "signin.html")

    async def sign_in(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        client = request.client.host if request.client else "unknown"
        if not csrf_ok(request, form):
            return page(request, "signin.html", 400, error="Your session expired. Please try again.")
        if not sign_ins.allow(client):
            return page(request, "signin.html", 429, error="Too many attempts. Wait a minute and try again.")
        found = access.who(engine, secret, str(form.get("code", "")))
        if found is None:
            return page(request, "signin.html", 401, error="That access code is not valid.")
        request.session.clear()
        request.session.update({"person": found[0], "role": found[1], "csrf": secrets.token_urlsafe(24)})
        return RedirectResponse("/", status_code=303)

    async def sign_out(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=2)
        if csrf_ok(request, form):
            request.session.clear()
        return RedirectResponse("/", status_code=303)

    def student_page(request: Request, status: int = 200, **context) -> Response:
        who = person(request)
        history = store.submissions_of(engine, who[0])
        return page(request, "student.html", status, assignments=sorted(course.assignments), history=history, **context)

    async def student(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "student":
            return RedirectResponse("/", status_code=303)
        return student_page(request)

    async def status(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "student":
            return JSONResponse({"error": "not signed in"}, status_code=401)
        return JSONResponse({str(s.id): s.status for s in store.submissions_of(engine, who[0])})

    async def upload(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "student":
            return RedirectResponse("/", status_code=303)
        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_BYTES + 64 * 1024:
            return student_page(request, 413, error=f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_UPLOAD_BYTES)
        if not csrf_ok(request, form):
            return student_page(request, 400, error="Your session expired. Reload the page and try again.")
        if not uploads.allow(who[0]):
            return student_page(request, 429, error="Too many uploads. Wait a minute before submitting again.")
        assignment = str(form.get("assignment", ""))
        file = form.get("notebook")
        if assignment not in course.assignments:
            return student_page(request, 400, error="Choose one of the assignments.")
        if file is None or not hasattr(file, "read") or not file.filename:
            return student_page(request, 400, error="Choose a notebook file to upload.")
        name = Path(file.filename).name[:200]
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        reason = None
        if len(content) > MAX_UPLOAD_BYTES:
            reason = f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB"
        elif not name.lower().endswith(".ipynb"):
            reason = f"{name} is not a notebook (.ipynb) file"
        else:
            try:
                read_notebook_bytes(content, name)
            except SubmissionError as error:
                reason = str(error)
        if reason:
            store.record_refusal(engine, who[0], assignment, name, content[:MAX_UPLOAD_BYTES], reason)
            return student_page(request, 400, error=f"Not accepted: {reason}.")
        store.enqueue(engine, who[0], assignment, name, content)
        return RedirectResponse("/student", status_code=303)

    async def submission(request: Request) -> Response:
        who = person(request)
        item = store.submission(engine, int(request.path_params["id"]))
        if not who or item is None or (who[1] == "student" and item.student != who[0]):
            return page(request, "missing.html", 404)
        overrides = {}
        if who[1] == "instructor" and item.status == "graded":
            overrides = manual_scores(request, item)
        return page(request, "submission.html", item=item, overrides=overrides)

    def manual_scores(request: Request, item: store.Submission) -> dict[str, float | None]:
        workers = request.app.state.workers
        with workers.gradebook_lock:
            try:
                notebook = workers.gradebook.find_submission_notebook(item.assignment, item.assignment, item.student)
            except MissingEntry:
                return {}
            return {grade.name: grade.manual_score for grade in notebook.grades}

    async def override(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "instructor":
            return RedirectResponse("/", status_code=303)
        form = await request.form(max_files=0, max_fields=6)
        item = store.submission(engine, int(request.path_params["id"]))
        if item is None or not csrf_ok(request, form):
            return page(request, "missing.html", 404)
        question = str(form.get("question", ""))
        try:
            score = float(str(form.get("score", "")))
        except ValueError:
            return RedirectResponse(f"/submission/{item.id}", status_code=303)
        workers = request.app.state.workers
        with workers.gradebook_lock:
            grade = workers.gradebook.find_grade(question, item.assignment, item.assignment, item.student)
            grade.manual_score = max(0.0, min(score, grade.max_score))
            workers.gradebook.db.commit()
        return RedirectResponse(f"/submission/{item.id}", status_code=303)

    async def instructor(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "instructor":
            return RedirectResponse("/", status_code=303)
        everything = store.all_submissions(engine)
        latest = {(s.assignment, s.student): s for s in everything if s.status == "graded"}
        by_assignment = {a: [] for a in sorted(course.assignments)}
        for (assignment, _), item in sorted(latest.items()):
            by_assignment.setdefault(assignment, []).append(item)
        missed: dict[str, collections.Counter] = {a: collections.Counter() for a in by_assignment}
        for item in latest.values():
            for test in (item.result or {}).get("tests", []):
                for criterion in test.get("criteria", []):
                    if not criterion["met"]:
                        missed[item.assignment][f"{test['name']}: {criterion['id']}"] += 1
        return page(
            request,
            "instructor.html",
            by_assignment=by_assignment,
            histograms={a: histogram(items) for a, items in by_assignment.items()},
            missed={a: counter.most_common(5) for a, counter in missed.items()},
            all_items=everything,
            counts=store.counts(engine),
        )

    async def export(request: Request) -> Response:
        who = person(request)
        if not who or who[1] != "instructor":
            return RedirectResponse("/", status_code=303)
        workers = request.app.state.workers
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["student", "assignment", "question", "score", "max_score", "overridden"])
        with workers.gradebook_lock:
            book = workers.gradebook
            for assignment in book.assignments:
                for sub in book.assignment_submissions(assignment.name):
                    for notebook in sub.notebooks:
                        for grade in notebook.grades:
                            writer.writerow(
                                [sub.student_id, assignment.name, grade.name, grade.score, grade.max_score,
                                 grade.manual_score is not None]
                            )  # fmt: skip
        headers = {"Content-Disposition": 'attachment; filename="grades.csv"'}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)

    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/signin", sign_in, methods=["POST"]),
            Route("/signout", sign_out, methods=["POST"]),
            Route("/student", student),
            Route("/student/status", status),
            Route("/upload", upload, methods=["POST"]),
            Route("/submission/{id:int}", submission),
            Route("/submission/{id:int}/override", override, methods=["POST"]),
            Route("/instructor", instructor),
            Route("/instructor/grades.csv", export),
        ],
        middleware=[
            Middleware(BaseHTTPMiddleware, dispatch=security_headers),
            Middleware(SessionMiddleware, secret_key=secret.hex(), same_site="strict", https_only=False),
        ],
        lifespan=lifespan,
    )
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
    return app


def histogram(items: list[store.Submission], bins: int = 10) -> list[tuple[str, int]]:
    """Counts of scores in ten equal bands of the maximum, for the instructor's plot."""
    counts = [0] * bins
    for item in items:
        if item.max_score:
            counts[min(bins - 1, int(bins * (item.score or 0) / item.max_score))] += 1
    return [(f"{10 * i}-{10 * (i + 1)}%", n) for i, n in enumerate(counts)]
