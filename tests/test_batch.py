"""Grading a class: the gradebook, reruns, overrides, LMS zips, duplicates, and nothing lost on a kill."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

import nbformat
from conftest import AUTOGRADER
from conftest import CH01_SOURCE as SOURCE

from autograder import gradebook as gb
from autograder.batch import export_csv, grade_all


def notebook_with_anarchy(answer: str) -> str:
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "anarchy-answer":
            cell.source = f"anarchy_answer = {answer!r}"
    return nbformat.writes(nb)


def make_class(root: Path, students: dict[str, str], stamp: str = "2026-11-01 12:00:00.000000 UTC") -> Path:
    for student, text in students.items():
        folder = root / "submitted" / student / "ch01-balancing"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ch01-balancing.ipynb").write_text(text)
        (folder / "timestamp.txt").write_text(stamp)
    return root


def scores(db_url: str) -> dict[str, float]:
    book = gb.open_gradebook(db_url)
    try:
        return {s.student_id: s.score for s in book.assignment_submissions("ch01-balancing")}
    finally:
        book.close()


def test_gradebook_rows_match_the_printed_results(course, tmp_path) -> None:
    root = make_class(tmp_path, {"ann": notebook_with_anarchy("b"), "ben": notebook_with_anarchy("c")})
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    summary = grade_all(root, course, db_url, progress=False)
    assert summary.graded == 2 and summary.failed == []
    printed = {student: result.score for student, result in summary.results}
    assert printed == {"ann": 18, "ben": 17} == scores(db_url)
    book = gb.open_gradebook(db_url)
    try:
        comment = book.find_comment("balancing-vs-bandwagoning", "ch01-balancing", "ch01-balancing", "ben")
        assert "[met]" in comment.auto_comment
    finally:
        book.close()


def test_a_rerun_skips_what_is_graded_and_keeps_manual_overrides(course, tmp_path) -> None:
    root = make_class(tmp_path, {"ann": notebook_with_anarchy("c")})
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    grade_all(root, course, db_url, progress=False)
    assert grade_all(root, course, db_url, progress=False).skipped == 1
    book = gb.open_gradebook(db_url)
    try:
        grade = book.find_grade("anarchy-test", "ch01-balancing", "ch01-balancing", "ann")
        grade.manual_score = 1.0  # the instructor accepts "c" after a discussion
        book.db.commit()
    finally:
        book.close()
    summary = grade_all(root, course, db_url, force=True, progress=False)
    assert summary.graded == 1 and summary.overrides_kept == [("ann", "anarchy-test")]
    assert scores(db_url) == {"ann": 18}
    out = tmp_path / "scores.csv"
    export_csv(db_url, out)
    rows = {r["question"]: r for r in csv.DictReader(out.open()) if r["student"] == "ann"}
    assert rows["anarchy-test"]["score"] == "1.0" and rows["anarchy-test"]["overridden"] == "True"


def test_a_resubmitted_file_is_regraded_without_force(course, tmp_path) -> None:
    root = make_class(tmp_path, {"ann": notebook_with_anarchy("c")})
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    grade_all(root, course, db_url, progress=False)
    make_class(tmp_path, {"ann": notebook_with_anarchy("b")})
    assert grade_all(root, course, db_url, progress=False).graded == 1
    assert scores(db_url) == {"ann": 18}


def test_bad_files_are_recorded_as_failed_and_the_batch_goes_on(course, tmp_path) -> None:
    root = make_class(tmp_path, {"ann": "{not json", "ben": notebook_with_anarchy("b"), "cid": "\x00\x01binary"})
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    summary = grade_all(root, course, db_url, progress=False)
    assert summary.graded == 1 and {who for who, _ in summary.failed} == {"ann", "cid"}
    out = tmp_path / "scores.csv"
    export_csv(db_url, out)
    failed = [r for r in csv.DictReader(out.open()) if r["overridden"].startswith("not graded")]
    assert {r["student"] for r in failed} == {"ann", "cid"}


def canvas_and_moodle_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("smithjane_12345_987_ch01-balancing.ipynb", notebook_with_anarchy("b"))
        zf.writestr("doejohn_LATE_23456_988_my notebook.ipynb", notebook_with_anarchy("c"))
        zf.writestr("Ana Lopez_34567_assignsubmission_file_/ch01-balancing.ipynb", notebook_with_anarchy("b"))
        zf.writestr("../../escape_11111_1_evil.ipynb", notebook_with_anarchy("b"))
        zf.writestr("/abs_22222_2_evil.ipynb", notebook_with_anarchy("b"))
        zf.writestr("notes_33333_3_readme.txt", "hello")
        early = zipfile.ZipInfo("smithjane_12345_900_old-attempt.ipynb", date_time=(2020, 1, 1, 0, 0, 0))
        zf.writestr(early, notebook_with_anarchy("a"))
    return path


def test_an_lms_zip_maps_files_to_students_and_refuses_escaping_names(course, tmp_path) -> None:
    archive = canvas_and_moodle_zip(tmp_path / "class.zip")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    summary = grade_all(archive, course, db_url, progress=False)
    assert scores(db_url) == {"canvas-12345": 18, "canvas-23456": 17, "moodle-34567": 18}
    refused = " ".join(f"{name} {reason}" for name, reason in summary.failed)
    assert "escape_11111" in refused and "abs_22222" in refused and "outside" in refused
    assert "readme.txt" in refused
    assert len(summary.superseded) == 1
    assert summary.superseded[0].startswith("canvas-12345: ") and summary.superseded[0].endswith("old-attempt.ipynb")
    assert not (tmp_path.parent / "escape_11111_1_evil.ipynb").exists()


def test_the_latest_of_a_students_duplicates_wins_and_the_others_are_kept(course, tmp_path) -> None:
    with zipfile.ZipFile(tmp_path / "dupes.zip", "w") as zf:
        zf.writestr(zipfile.ZipInfo("ann_1_1_first.ipynb", (2026, 11, 1, 9, 0, 0)), notebook_with_anarchy("c"))
        zf.writestr(zipfile.ZipInfo("ann_1_2_second.ipynb", (2026, 11, 1, 10, 0, 0)), notebook_with_anarchy("b"))
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    summary = grade_all(tmp_path / "dupes.zip", course, db_url, progress=False)
    assert scores(db_url) == {"canvas-1": 18} and len(summary.superseded) == 1


def test_a_batch_killed_mid_run_finishes_on_rerun_without_loss_or_duplicates(course, tmp_path) -> None:
    students = {f"s{i:03d}": notebook_with_anarchy("b" if i % 3 else "d") for i in range(150)}
    root = make_class(tmp_path, students)
    db = tmp_path / "gradebook.db"
    command = [str(AUTOGRADER), "grade-all", str(root), "--db", f"sqlite:///{db}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until part of the class is recorded, then kill hard
        time.sleep(0.02)
        if db.exists() and _ledger_rows(db) >= 10:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    recorded_before = _ledger_rows(db)
    assert 0 < recorded_before < 150, "the kill did not land mid-run"
    rerun = subprocess.run(command, capture_output=True, text=True, check=True)
    assert f"already graded, skipped: {recorded_before}" in rerun.stdout
    final = scores(f"sqlite:///{db}")
    assert len(final) == 150
    assert final == {s: (18 if int(s[1:]) % 3 else 17) for s in students}


def _ledger_rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM autograder_ledger WHERE status = 'graded'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_two_batches_at_once_do_not_corrupt_the_gradebook(course, tmp_path) -> None:
    make_class(tmp_path / "one", {f"a{i}": notebook_with_anarchy("b") for i in range(15)})
    make_class(tmp_path / "two", {f"b{i}": notebook_with_anarchy("c") for i in range(15)})
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    subprocess.run(
        [str(AUTOGRADER), "grade-all", str(tmp_path / "one"), "--db", db_url], check=True, capture_output=True
    )  # the database exists before the race
    runs = [
        subprocess.Popen(
            [str(AUTOGRADER), "grade-all", str(tmp_path / name), "--db", db_url, "--force"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    final = scores(db_url)
    assert len(final) == 30
    assert {s for s, v in final.items() if v == 18} == {f"a{i}" for i in range(15)}
