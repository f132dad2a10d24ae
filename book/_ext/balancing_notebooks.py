"""Sphinx extension that puts each chapter's released exercise notebook on the site.

At ``builder-inited`` it runs nbgrader's own ``generate_assignment`` (so solutions and hidden
tests are stripped, cells locked and checksummed exactly as nbgrader does it) in a private
copy of the course, and copies each student version to ``book/_generated/notebooks/``.
Chapters link to it with ``{download}``; an assignment released with data files is also
offered as ``<assignment>.zip``, the whole folder a student needs. It reruns only when a
source notebook is newer than its released copy, so a one-chapter edit does not wait for
nbgrader.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
OUT_DIR = Path("_generated") / "notebooks"


def stale_assignments(course: Path, out_dir: Path) -> list[str]:
    stale = []
    for source in sorted(course.glob("source/*/*.ipynb")):
        released = out_dir / source.name
        if not released.exists() or released.stat().st_mtime < source.stat().st_mtime:
            stale.append(source.parent.name)
    return stale


def release(course: Path, assignments: list[str], out_dir: Path) -> None:
    """Generate the student versions of ``assignments`` with nbgrader, into ``out_dir``.

    One nbgrader run releases them all (``generate_assignment "*"`` when more than one is
    stale): nbgrader takes some seconds to start, and a clean build releases every chapter.
    """
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="balancing-release-") as tmp:
        copy = Path(tmp) / "exercises"
        shutil.copytree(course, copy, ignore=shutil.ignore_patterns("release", "submitted", "autograded", "*.db"))
        result = subprocess.run(
            [
                str(bin_dir / "nbgrader"),
                "generate_assignment",
                assignments[0] if len(assignments) == 1 else "*",
                "--force",
                "--log-level=ERROR",
                f"--CourseDirectory.db_url=sqlite:///{copy / 'gradebook.db'}",
            ],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        for assignment in assignments:
            released = copy / "release" / assignment / f"{assignment}.ipynb"
            if result.returncode != 0 or not released.exists():
                raise ExtensionError(f"nbgrader could not release {assignment}:\n{result.stderr[-2000:]}")
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(released, out_dir / released.name)
            if len(list(released.parent.rglob("*"))) > 1:  # the notebook comes with data: offer the folder
                shutil.make_archive(str(out_dir / assignment), "zip", released.parent.parent, assignment)
            logger.info("balancing_notebooks: released %s", assignment)


def _on_builder_inited(app: Sphinx) -> None:
    course = Path(app.confdir) / "exercises"
    out_dir = Path(app.srcdir) / OUT_DIR
    stale = stale_assignments(course, out_dir)
    if stale:
        release(course, stale, out_dir)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
