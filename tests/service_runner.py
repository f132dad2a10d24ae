"""Starts ``autograder serve`` on 127.0.0.1 for the service tests, on a private copy of the course."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from conftest import COURSE

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Service:
    course: Path
    port: int
    codes: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.process = subprocess.Popen(
            [str(BIN / "autograder"), "serve", "--course", str(self.course), "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.course / "service.log", "ab"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()  # noqa: S310 - our local server
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError((self.course / "service.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        raise RuntimeError("the service did not start within 60 s")

    def kill(self) -> None:
        """Stop it hard, as a crash or a power cut would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def prepare(tmp: Path, students: list[str]) -> Service:
    """A course copy with every assignment released, a roster of ``students`` and an instructor."""
    course = tmp / "exercises"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("release", "submitted", "autograded", "*.db"))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    roster = tmp / "roster.csv"
    roster.write_text("id\n" + "\n".join(students) + "\n")
    codes_file = tmp / "codes.csv"
    run = [str(BIN / "autograder"), "roster", "--course", str(course)]
    subprocess.run([*run, "import", str(roster), "--out", str(codes_file)], env=env, check=True, capture_output=True)
    found = subprocess.run([*run, "instructor", "prof"], env=env, check=True, capture_output=True, text=True)
    with open(codes_file, newline="") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    codes["prof"] = found.stdout.strip().rsplit(" ", 1)[-1]
    return Service(course, free_port(), codes)
