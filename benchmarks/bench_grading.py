"""Benchmark: ``autograder grade-all`` against stock ``nbgrader autograde`` on the same submissions.

``make bench`` (or ``python benchmarks/bench_grading.py --n 200``) writes N varied submissions
of each assignment (each answer the solution or the prepared partly-right one, at random)
into a private copy of the course, grades them both ways on this machine in this run, checks
that the code questions' scores agree, and prints notebooks per second for both and the ratio.
``--assignments`` limits the run to some assignments.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parent.parent
PARTLY_RIGHT = ROOT / "tests" / "data" / "partly-right"
BIN = Path(sys.executable).parent
ANSWERS = {
    "anarchy-answer": ['anarchy_answer = "b"', 'anarchy_answer = "a"', 'anarchy_answer = "d"'],
    "internal-answer": [
        'internal_balancing = {"a", "c", "d"}',
        'internal_balancing = {"a", "b"}',
        'internal_balancing = {"c"}',
    ],
    "cases-answer": [
        'cases = {"nato-1949": "external balancing", "japan-2022": "internal balancing", '
        '"finland-sweden-2022": "external balancing", "italy-1940": "bandwagoning", '
        '"britain-dreadnoughts": "internal balancing"}',
        'cases = {"nato-1949": "bandwagoning", "japan-2022": "internal balancing", '
        '"finland-sweden-2022": "external balancing", "italy-1940": "external balancing", '
        '"britain-dreadnoughts": "internal balancing"}',
    ],
    "balancing-vs-bandwagoning": [
        "Balancing means opposing the strongest state with arms or alliances; bandwagoning means joining it.",
        "Balancing is about keeping things even.",
    ],
}


def answer_variants(source: nbformat.NotebookNode, assignment: str) -> dict[str, list[str]]:
    """For each answer cell: the solution, the prepared partly-right answer, and chapter 1's extras."""
    prepared = yaml.safe_load((PARTLY_RIGHT / f"{assignment}.yaml").read_text(encoding="utf-8"))["answers"]
    variants: dict[str, list[str]] = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            grade_id = meta["grade_id"]
            variants[grade_id] = [cell.source, *([prepared[grade_id]] if grade_id in prepared else [])]
            variants[grade_id] += ANSWERS.get(grade_id, [])
    return variants


def make_submissions(course: Path, assignment: str, n: int, seed: int = 7) -> None:
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    variants = answer_variants(source, assignment)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    for i in range(n):
        nb = nbformat.from_dict(source)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in variants:
                cell.source = rng.choice(variants[grade_id])
        folder = course / "submitted" / f"student{i:04d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-01 12:00:00.000000 UTC")


def code_scores(db_url: str, assignment: str) -> dict[tuple[str, str], float]:
    with Gradebook(db_url) as book:
        return {
            (s.student_id, g.name): g.auto_score
            for s in book.assignment_submissions(assignment)
            for nb in s.notebooks
            for g in nb.grades
            if g.cell_type == "code"
        }


def run(n: int, only: list[str] | None = None) -> int:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = Path(tmp) / "exercises"
        shutil.copytree(ROOT / "exercises", course, ignore=shutil.ignore_patterns("release", "submitted", "*.db"))
        assignments = only or sorted(p.name for p in (course / "source").iterdir())
        print(f"{'assignment':16} {'n':>4} {'autograder nb/s':>16} {'nbgrader nb/s':>14} {'ratio':>6} agree")
        for assignment in assignments:
            make_submissions(course, assignment, n)
            ours_db = f"sqlite:///{Path(tmp) / f'ours-{assignment}.db'}"
            theirs_db = f"sqlite:///{Path(tmp) / f'nbgrader-{assignment}.db'}"
            start = time.perf_counter()
            subprocess.run(
                [str(BIN / "autograder"), "grade-all", str(course), "--course", str(course), "--db", ours_db],
                check=True,
                capture_output=True,
                env=env,
            )
            ours = n / (time.perf_counter() - start)
            subprocess.run(
                [
                    str(BIN / "nbgrader"),
                    "generate_assignment",
                    assignment,
                    "--force",
                    f"--CourseDirectory.db_url={theirs_db}",
                ],
                cwd=course,
                check=True,
                capture_output=True,
                env=env,
            )
            start = time.perf_counter()
            subprocess.run(
                [str(BIN / "nbgrader"), "autograde", assignment, "--force", f"--CourseDirectory.db_url={theirs_db}"],
                cwd=course,
                check=True,
                capture_output=True,
                env=env,
            )
            theirs = n / (time.perf_counter() - start)
            mine, stock = code_scores(ours_db, assignment), code_scores(theirs_db, assignment)
            agree = mine == stock
            for key in sorted(set(mine) | set(stock)):
                if mine.get(key) != stock.get(key):
                    print(f"  differs: {key}: autograder {mine.get(key)}, nbgrader {stock.get(key)}")
            print(f"{assignment:16} {n:4d} {ours:16.1f} {theirs:14.2f} {ours / theirs:6.1f} {agree}")
            shutil.rmtree(course / "submitted")
            if not agree:
                return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions per assignment")
    parser.add_argument("--assignments", nargs="*", help="only these assignments (default: all)")
    args = parser.parse_args()
    return run(args.n, args.assignments)


if __name__ == "__main__":
    raise SystemExit(main())
