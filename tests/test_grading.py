"""Grading whole notebooks: the scores, the reports, and the files that are not notebooks at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import AUTOGRADER, COURSE, ROOT
from conftest import CH01_SOURCE as SOURCE

from autograder.check import check_notebook
from autograder.course import Course
from autograder.grading import grade_notebook
from autograder.report import feedback_html, results_json


@pytest.fixture(scope="module")
def released(released_course: Path) -> nbformat.NotebookNode:
    """The student's copy, made by nbgrader from the source in a private course folder."""
    return nbformat.read(released_course / "release" / "ch01-balancing" / "ch01-balancing.ipynb", as_version=4)


def answer(nb: nbformat.NotebookNode, **answers: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the given grade_ids' cells replaced (underscores stand for hyphens)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "").replace("-", "_")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


PARTLY_RIGHT = {
    grade_id.replace("-", "_"): source
    for grade_id, source in yaml.safe_load((ROOT / "tests/data/partly-right/ch01-balancing.yaml").read_text())[
        "answers"
    ].items()
}


def test_the_instructor_solution_earns_all_eighteen_points(course: Course) -> None:
    result = grade_notebook(SOURCE, course)
    assert result.graded and result.score == result.max_score == 18
    assert result.problems == ()


def test_partial_credit_explains_itself(course, released, tmp_path) -> None:
    """The scores themselves are checked for every assignment in test_assignments.py."""
    result = grade_notebook(save(answer(released, **PARTLY_RIGHT), tmp_path / "anything.ipynb"), course)
    written = {q.grade_id: q for q in result.questions if q.kind == "written"}
    assert "term-list" in written["balancing-and-stability"].flags
    assert [met for _, met, _ in written["balancing-vs-bandwagoning"].criteria] == [True, True, True, False]


def test_the_assignment_is_found_from_content_whatever_the_file_is_called(course, tmp_path) -> None:
    renamed = tmp_path / "deep" / "folder" / "my homework (final).ipynb"
    renamed.parent.mkdir(parents=True)
    shutil.copy(SOURCE, renamed)
    assert grade_notebook(renamed, course).assignment == "ch01-balancing"


def test_results_json_has_gradescopes_shape(course, released, tmp_path) -> None:
    data = results_json(grade_notebook(save(answer(released, **PARTLY_RIGHT), tmp_path / "s.ipynb"), course))
    assert set(data) >= {"score", "max_score", "tests"}
    assert isinstance(data["score"], float) and isinstance(data["max_score"], float)
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "output"}
        assert isinstance(test["output"], str) and 0 <= test["score"] <= test["max_score"]
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert [t["name"] for t in data["tests"]][-3:] == [
        "balancing-vs-bandwagoning",
        "balancing-and-stability",
        "balancing-21st-century",
    ]


def test_the_command_prints_results_json(tmp_path) -> None:
    out = subprocess.run([str(AUTOGRADER), "grade", str(SOURCE), "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["score"] == 18


def test_feedback_html_escapes_what_the_student_wrote(course, released, tmp_path) -> None:
    script = "<script>alert('x')</script> Balancing means states oppose the strongest power by forming alliances."
    result = grade_notebook(save(answer(released, balancing_vs_bandwagoning=script), tmp_path / "x.ipynb"), course)
    page = feedback_html(result)
    assert "<script" not in page.lower()
    out_dir = tmp_path / "feedback"
    subprocess.run(
        [str(AUTOGRADER), "grade", str(tmp_path / "x.ipynb"), "--feedback", str(out_dir)],
        check=True,
        capture_output=True,
    )
    written = (out_dir / "x-feedback.html").read_text(encoding="utf-8")
    assert "<script" not in written.lower() and "http" not in written


def test_feedback_shows_escaped_evidence_as_text(course, released, tmp_path) -> None:
    nasty = "Balancing is when states oppose the strongest power <b>by forming alliances</b> & arming."
    result = grade_notebook(save(answer(released, balancing_vs_bandwagoning=nasty), tmp_path / "y.ipynb"), course)
    page = feedback_html(result)
    assert "<b>" not in page and "&lt;b&gt;by forming alliances&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not json", "not valid JSON"),
        (b'{"cells": [', "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ('{"cells": []}'.encode("utf-16"), "binary"),
        (b'{"a": 1}', "not a Jupyter notebook"),
        (b'{"nbformat": 2, "cells": []}', "unsupported notebook format"),
        (b"\xff\xfe\xfa not utf8", "not UTF-8"),
        (b"[" * 100_000, "nests too deeply"),
    ],
)
def test_bad_files_are_not_graded_with_a_clear_reason(course, tmp_path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    result = grade_notebook(path, course)
    assert not result.graded and reason in result.reason
    assert results_json(result)["output"].startswith("not graded: ")


def test_a_huge_file_is_refused_before_it_is_read(course, tmp_path) -> None:
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper, nothing on disk
    result = grade_notebook(path, course)
    assert not result.graded and "MB" in result.reason


def test_an_old_nbformat_notebook_is_upgraded_and_graded(course, tmp_path) -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [{"cells": [{"cell_type": "markdown", "source": "hello", "metadata": {}}]}],
    }
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    result = grade_notebook(path, course)
    assert not result.graded and "not one of the course's assignments" in result.reason


def test_stored_outputs_are_ignored_and_never_trusted(course, tmp_path) -> None:
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "0"})]
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="x" * 3_000_000))
    result = grade_notebook(save(nb, tmp_path / "outputs.ipynb"), course)
    assert result.score == 18


def test_another_assignments_notebook_is_refused(course, tmp_path) -> None:
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader.grade_id = "other-" + cell.metadata.nbgrader.grade_id
    result = grade_notebook(save(nb, tmp_path / "other.ipynb"), course)
    assert not result.graded and "not one of the course's assignments" in result.reason


def test_check_lists_what_is_missing_and_reveals_nothing(released, tmp_path) -> None:
    path = save(answer(released, anarchy_answer='anarchy_answer = "z"'), tmp_path / "mine.ipynb")
    report = check_notebook(path)
    assert not report.ready
    assert set(report.unanswered) >= {"balancing-vs-bandwagoning", "balancing-and-stability", "internal-answer"}
    assert [gid for gid, _ in report.failing][:1] == ["anarchy-test"]
    text = report.text()
    source_text = SOURCE.read_text(encoding="utf-8")
    rubric = (COURSE / "rubrics" / "ch01-balancing.yaml").read_text(encoding="utf-8")
    for secret in ("anarchy_answer ==", "_key", "Italy did when", "strong_or_threat", "points"):
        assert secret in source_text + rubric and secret not in text


def test_check_says_ready_when_everything_is_answered(tmp_path) -> None:
    out = subprocess.run([str(AUTOGRADER), "check", str(SOURCE)], capture_output=True, text=True)
    assert out.returncode == 0 and "Ready to submit." in out.stdout


def test_code_answers_are_graded_when_the_virtualenv_is_reached_through_a_link(tmp_path) -> None:
    """A course that links .venv to a shared environment: the sandbox still finds its interpreter."""
    link = tmp_path / "venv-link"
    link.symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    source = COURSE / "source" / "ch11-measuring-power" / "ch11-measuring-power.ipynb"
    result = subprocess.run(
        [str(link / "bin" / "python"), "-c", "from autograder.cli import main; main()", "grade", str(source), "--json"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    graded = json.loads(result.stdout)
    assert graded["score"] == graded["max_score"] > 0, [t for t in graded["tests"] if t["score"] < t["max_score"]]
