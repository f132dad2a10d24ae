"""Finds a class's submissions: nbgrader's ``submitted/<student>/<assignment>/`` folders or an LMS zip.

Canvas names each file ``<name>_<studentid>_<submissionid>_<file>`` (with ``_LATE`` after the
name when late); Moodle puts each file in a folder ``<Full Name>_<participantid>_assignsubmission_file_``.
Zip entries are extracted only when their names stay inside the target folder and their
sizes are bounded; the others are reported, never written. When one student has several
notebooks for one assignment, the latest by timestamp is graded and the others are kept
and reported as superseded.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ENTRY_BYTES = 20 * 1024 * 1024
MAX_ZIP_BYTES = 2 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, to refuse zip bombs

CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?:_LATE)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
MOODLE_FOLDER = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_?$")
MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    timestamp: dt.datetime | None
    assignment: str | None = None  # known from nbgrader's layout; otherwise found from content


@dataclass
class Found:
    submissions: list[Submission] = field(default_factory=list)
    superseded: list[Submission] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def _nbgrader_timestamp(folder: Path) -> dt.datetime | None:
    stamp = folder / "timestamp.txt"
    if not stamp.exists():
        return None
    text = stamp.read_text(encoding="utf-8", errors="replace").strip().removesuffix(" UTC")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def from_nbgrader_folder(root: Path) -> list[Submission]:
    """``root`` is the course's ``submitted/`` folder (or the course folder that holds it)."""
    if (root / "submitted").is_dir():
        root = root / "submitted"
    found = []
    for notebook in sorted(root.glob("*/*/*.ipynb")):
        folder = notebook.parent
        found.append(Submission(folder.parent.name, notebook, _nbgrader_timestamp(folder), folder.name))
    return found


def _student_from_lms_name(entry: PurePosixPath) -> str | None:
    for part in entry.parts[:-1]:
        if match := MOODLE_FOLDER.match(part):
            return f"moodle-{match['id']}"
    if match := MOODLE_FLAT.match(entry.name):
        return f"moodle-{match['id']}"
    if match := CANVAS.match(entry.name):
        return f"canvas-{match['id']}"
    return None


def _safe_member_path(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts or re.match(r"^[A-Za-z]:", name):
        return None
    return path


def from_zip(archive: Path, target: Path) -> Found:
    """Extract the notebooks of an LMS zip into ``target`` and name each by its student."""
    found = Found()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        found.refused.append((archive.name, f"not a readable zip file: {error}"))
        return found
    with zf:
        total = 0
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = _safe_member_path(info.filename)
            if member is None:
                found.refused.append((info.filename, "its name points outside the folder (refused)"))
                continue
            if not member.name.endswith(".ipynb"):
                found.refused.append((info.filename, "not a notebook (.ipynb)"))
                continue
            if info.file_size > MAX_ENTRY_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                found.refused.append((info.filename, "too large, or compressed suspiciously well"))
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                found.refused.append((info.filename, "the archive unpacks to more than 2 GB; stopped here"))
                break
            student = _student_from_lms_name(member)
            if student is None:
                found.refused.append((info.filename, "its name does not follow Canvas's or Moodle's pattern"))
                continue
            destination = target / student / f"{len(found.submissions):05d}-{member.name}"
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(destination, "wb") as out:
                out.write(source.read(MAX_ENTRY_BYTES + 1))
            found.submissions.append(Submission(student, destination, dt.datetime(*info.date_time)))
    return found


def latest_per_student(submissions: list[Submission], found: Found) -> None:
    """Keep each student's latest notebook per assignment; move the others to ``found.superseded``."""
    latest: dict[tuple[str, str | None], Submission] = {}
    for submission in submissions:
        key = (submission.student, submission.assignment)
        current = latest.get(key)
        if current is None or (submission.timestamp or dt.datetime.min) >= (current.timestamp or dt.datetime.min):
            if current is not None:
                found.superseded.append(current)
            latest[key] = submission
        else:
            found.superseded.append(submission)
    found.submissions = list(latest.values())


def discover(path: Path, extract_to: Path) -> Found:
    """All submissions under ``path`` (a folder in nbgrader's layout, or an LMS zip)."""
    if path.is_file() and zipfile.is_zipfile(path):
        found = from_zip(path, extract_to)
    elif path.is_dir():
        found = Found(from_nbgrader_folder(path))
    else:
        found = Found(refused=[(str(path), "neither a folder of submissions nor a zip file")])
    latest_per_student(found.submissions, found)
    return found
