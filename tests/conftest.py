"""Shared fixtures: the repository's paths and one warning-free build of the book per test run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
COURSE = ROOT / "exercises"
CH01_SOURCE = COURSE / "source" / "ch01-balancing" / "ch01-balancing.ipynb"
SPHINX_BUILD = Path(sys.executable).parent / "sphinx-build"
AUTOGRADER = Path(sys.executable).parent / "autograder"


def nbgrader(course: Path, *args: str, interleaved: bool = False) -> subprocess.CompletedProcess[str]:
    """Run nbgrader in a course folder, with that folder's own gradebook.

    ``interleaved`` sends its log (stderr) into stdout, in the order nbgrader wrote them.
    """
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(bin_dir / "nbgrader"), *args, f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"],
        cwd=course,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if interleaved else subprocess.PIPE,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def released_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the course in which nbgrader has released every assignment (in one run)."""
    copy = tmp_path_factory.mktemp("course") / "exercises"
    shutil.copytree(COURSE, copy, ignore=shutil.ignore_patterns("release", "autograded", "submitted", "*.db"))
    result = nbgrader(copy, "generate_assignment", "*", "--force", "--log-level=WARN")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return copy


@pytest.fixture(scope="module")
def course():
    """The course as the grader sees it (imported lazily: the book tests do not need it)."""
    from autograder.course import Course

    return Course(COURSE)


@dataclass(frozen=True)
class BuiltSite:
    """A build of a private copy of ``book/``: its sources, its HTML and what Sphinx printed."""

    srcdir: Path
    outdir: Path
    doctreedir: Path
    log: str

    def rebuild(self) -> subprocess.CompletedProcess[str]:
        return run_sphinx(self.srcdir, self.outdir, self.doctreedir)


def run_sphinx(srcdir: Path, outdir: Path, doctreedir: Path) -> subprocess.CompletedProcess[str]:
    """Build as ``make html`` does: nitpicky, every warning an error, all warnings reported."""
    return subprocess.run(
        [
            str(SPHINX_BUILD),
            "-c",
            str(ROOT),
            "-d",
            str(doctreedir),
            "-W",
            "--keep-going",
            "-n",
            "-b",
            "html",
            str(srcdir),
            str(outdir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the book once from clean; fail with Sphinx's own output if anything warns."""
    work = tmp_path_factory.mktemp("site")
    srcdir = work / "book"
    shutil.copytree(BOOK, srcdir, ignore=shutil.ignore_patterns("_generated", "__pycache__"))
    result = run_sphinx(srcdir, work / "html", work / "doctrees")
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"sphinx-build failed:\n{log[-6000:]}"
    return BuiltSite(srcdir, work / "html", work / "doctrees", log)
