"""The submission service end to end: students and an instructor in headless Chromium, then a load test."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest
import yaml
from playwright.sync_api import Browser, Page
from service_runner import Service, prepare
from site_server import chromium

pytestmark = pytest.mark.browser
ASSIGNMENT = "ch01-balancing"
PARTLY_RIGHT = Path(__file__).resolve().parent / "data" / "partly-right" / f"{ASSIGNMENT}.yaml"
BIN = Path(sys.executable).parent


def released(course: Path) -> nbformat.NotebookNode:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force", "--log-level=ERROR",
         f"--CourseDirectory.db_url=sqlite:///{course / 'release.db'}"],
        cwd=course, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def answered(nb: nbformat.NotebookNode, answers: dict[str, str], marker: str = "") -> str:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nb.metadata["submission_marker"] = marker  # makes every upload's bytes distinct
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    running = prepare(tmp_path_factory.mktemp("service"), ["ada", "ben"])
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def sign_in(browser: Browser, service: Service, who: str) -> Page:
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(service.url + "/")
    page.fill("#code", service.codes[who])
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    return page


def upload(page: Page, path: Path) -> None:
    page.select_option("#assignment", ASSIGNMENT)
    page.set_input_files("#notebook", str(path))
    page.click("form[action='/upload'] button[type=submit]")
    page.wait_for_load_state("load")


def test_students_and_an_instructor_use_the_service(browser: Browser, service: Service, tmp_path: Path) -> None:
    release = released(service.course)
    prepared = yaml.safe_load(PARTLY_RIGHT.read_text())
    partly = tmp_path / "mine.ipynb"
    partly.write_text(answered(release, prepared["answers"]))
    expected = round(sum(prepared["expected"].values()), 2)

    # A student uploads a partly-right notebook and sees score and feedback appear by themselves.
    ada = sign_in(browser, service, "ada")
    upload(ada, partly)
    score_link = ada.locator("a[href^='/submission/']").first
    score_link.wait_for(timeout=60_000)
    assert score_link.inner_text() == f"{expected:g} / 18"
    score_link.click()
    ada.wait_for_load_state("load")
    assert ada.locator("#score").inner_text() == f"Score: {expected:g} / 18"
    assert "[met]" in ada.content() and "[missed]" in ada.content()
    ada_submission = ada.url

    # A non-notebook upload is refused with a reason on the page, and recorded.
    not_a_notebook = tmp_path / "essay.ipynb"
    not_a_notebook.write_text("This is my essay, not a notebook.")
    ada.goto(service.url + "/student")
    upload(ada, not_a_notebook)
    assert "Not accepted" in ada.locator("p.error").inner_text()
    assert "not valid JSON" in ada.locator("tbody").inner_text()

    # Another student sees none of it, by any URL.
    ben = sign_in(browser, service, "ben")
    for url in (ada_submission, ada_submission + "/override", service.url + "/instructor"):
        response = ben.goto(url)
        shown = ben.content()
        assert (response.status in (404, 405) or ben.url.endswith("/student")) and f"{expected:g}" not in shown
    forged = ben.request.post(ada_submission + "/override", form={"question": "anarchy-test", "score": "0"})
    assert "overridden" not in forged.text()
    solution = tmp_path / "solution.ipynb"
    source = nbformat.read(service.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution.write_text(nbformat.writes(source))
    ben.goto(service.url + "/student")
    upload(ben, solution)
    ben.locator("a[href^='/submission/']").first.wait_for(timeout=60_000)
    assert "ada" not in ben.locator("main").inner_text()

    # A wrong code is refused.
    stranger = browser.new_context().new_page()
    stranger.goto(service.url + "/")
    stranger.fill("#code", "not-a-code")
    stranger.click("button[type=submit]")
    assert "not valid" in stranger.locator("p.error").inner_text()
    stranger.goto(service.url + "/instructor")
    assert stranger.url.rstrip("/") == service.url

    # The instructor sees both students, overrides a score and downloads it in the CSV.
    prof = sign_in(browser, service, "prof")
    listing = prof.locator("main").inner_text()
    assert "ada" in listing and "ben" in listing and "Criteria missed most" in listing
    prof.goto(ada_submission)
    prof.fill("input[name=score] >> nth=4", "3.5")  # the fifth question: balancing-and-stability
    prof.click("form[action$='/override'] >> nth=4 >> button")
    prof.wait_for_load_state("load")
    assert "overridden: 3.5" in prof.content()
    prof.goto(service.url + "/instructor")
    with prof.expect_download() as download:
        prof.click("a[href='/instructor/grades.csv']")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    mine = {row["question"]: row for row in rows if row["student"] == "ada"}
    assert mine["balancing-and-stability"]["score"] == "3.5" and mine["balancing-and-stability"]["overridden"] == "True"
    assert {row["student"] for row in rows} == {"ada", "ben"}

    # Every response carries the security headers.
    headers = httpx.get(service.url + "/").headers
    assert "default-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def pending(service: Service) -> int:
    with sqlite3.connect(service.course / "gradebook.db") as db:
        query = "select count(*) from service_submissions where status in ('queued', 'grading')"
        return db.execute(query).fetchone()[0]


class Client:
    """One student's HTTP session, as a browser would hold it."""

    def __init__(self, url: str, code: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, follow_redirects=True)
        self.http.post("/signin", data={"code": code, "csrf": self._csrf("/")})

    def _csrf(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.http.get(path).text).group(1)

    def upload(self, content: str, name: str) -> int:
        response = self.http.post(
            "/upload",
            data={"csrf": self._csrf("/student"), "assignment": ASSIGNMENT},
            files={"notebook": (name, content.encode(), "application/x-ipynb+json")},
        )
        return response.status_code


def test_a_load_of_uploads_with_a_crash_in_the_middle_loses_nothing(tmp_path: Path) -> None:
    students = [f"s{i:02d}" for i in range(20)]
    service = prepare(tmp_path, students)
    service.start()
    release = released(service.course)
    prepared = yaml.safe_load(PARTLY_RIGHT.read_text())["answers"]
    prepared["anarchy-answer"] = 'anarchy_answer = "b".strip()'  # code, not a literal: the sandbox runs it
    uploads = [(s, n, answered(release, prepared, f"{s}-{n}")) for n in range(10) for s in students]

    def send(batch: list[tuple[str, int, str]]) -> list[int]:
        client = Client(service.url, service.codes[batch[0][0]])
        return [client.upload(content, f"{s}-{n}.ipynb") for s, n, content in batch]

    def wave(items: list[tuple[str, int, str]]) -> list[int]:
        per_student = {s: [u for u in items if u[0] == s] for s in students}
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            return [code for codes in pool.map(send, per_student.values()) for code in codes]

    try:
        assert set(wave(uploads[:100])) == {200}
        assert pending(service) > 0, "the crash must come while submissions are still queued"
        service.kill()  # a crash while the queue is still being graded
        service.start()
        assert set(wave(uploads[100:])) == {200}
        deadline = time.monotonic() + 300
        while pending(service) and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        service.stop()
    with sqlite3.connect(service.course / "gradebook.db") as db:
        rows = db.execute("select filename, status, score from service_submissions").fetchall()
    assert len(rows) == 200, "an upload was lost or stored twice"
    assert sorted(name for name, _, _ in rows) == sorted(f"{s}-{n}.ipynb" for s, n, _ in uploads)
    assert {status for _, status, _ in rows} == {"graded"}
    assert {round(score, 2) for _, _, score in rows} == {6.47}


def test_a_late_upload_gets_nbgraders_late_penalty(tmp_path: Path) -> None:
    from autograder.course import Course
    from autograder.gradebook import open_gradebook
    from autograder.service import store
    from autograder.service.worker import Workers

    service = prepare(tmp_path, ["ada"])
    config = service.course / "nbgrader_config.py"
    config.write_text(config.read_text() + '\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    db_url = f"sqlite:///{service.course / 'gradebook.db'}"
    book = open_gradebook(db_url)
    book.update_or_create_assignment(ASSIGNMENT, duedate="2020-01-01 00:00:00")
    book.close()
    engine = store.connect(db_url)
    source = (service.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
    submission_id = store.enqueue(engine, "ada", ASSIGNMENT, "late.ipynb", source)
    workers = Workers(engine, Course(service.course), db_url, count=1)
    workers.start()
    try:
        deadline = time.monotonic() + 60
        while store.submission(engine, submission_id).status != "graded" and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        workers.stop()
    graded = store.submission(engine, submission_id)
    assert graded.late_seconds > 0 and graded.score == 18
    assert graded.result["late_penalty"] == 18  # nbgrader's "zero" rule: a late notebook scores nothing
