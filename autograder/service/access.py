"""Who may sign in: access codes issued from a roster, stored only as keyed hashes.

A code is 128 random bits, so it cannot be guessed, and a keyed hash (HMAC-SHA256 with the
service's secret) is enough to store it: a stolen database without the secret reveals no
code, and a sign-in costs one hash instead of a slow password hash per roster entry.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from autograder.service.store import PEOPLE

ROLES = ("student", "instructor")


def load_secret(path: Path) -> bytes:
    """The service's secret key (signs cookies, keys code hashes), created on first use, owner-only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def digest(secret: bytes, code: str) -> str:
    return hmac.new(secret, code.strip().encode(), hashlib.sha256).hexdigest()


def issue(engine: Engine, secret: bytes, person: str, role: str) -> str:
    """A new access code for ``person`` (replacing any earlier one); only its hash is stored."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if not person or len(person) > 128 or not person.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"{person!r} is not a usable id: letters, digits, '-', '_' and '.' only")
    code = secrets.token_urlsafe(16)
    with engine.begin() as connection:
        connection.execute(delete(PEOPLE).where(PEOPLE.c.person == person))
        connection.execute(insert(PEOPLE).values(person=person, role=role, code_digest=digest(secret, code)))
    return code


def who(engine: Engine, secret: bytes, code: str) -> tuple[str, str] | None:
    """(person, role) for a valid access code, or None."""
    if not code or len(code) > 200:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            select(PEOPLE.c.person, PEOPLE.c.role).where(PEOPLE.c.code_digest == digest(secret, code))
        ).first()
    return (row.person, row.role) if row else None


def import_roster(engine: Engine, secret: bytes, roster: Path, out: Path) -> int:
    """Issue a code to every student in ``roster`` (a CSV with an ``id`` column); write id,code to ``out``."""
    with open(roster, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise ValueError(f"{roster}: the roster needs an 'id' column (found {reader.fieldnames})")
        ids = [row["id"].strip() for row in reader if row.get("id", "").strip()]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{roster}: duplicate student ids")
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "code"])
        for student in ids:
            writer.writerow([student, issue(engine, secret, student, "student")])
    return len(ids)
