"""Benchmark: the submission service under a class's worth of uploads.

``make bench-service`` starts ``autograder serve`` on 127.0.0.1 with a roster of 20 students,
uploads 200 chapter-1 notebooks (the prepared partly-right one, with code the sandbox must run)
from 20 concurrent clients, waits until every one is graded, and prints the throughput and
the median and 95th-percentile time from upload to feedback, from the service's own records.
"""

from __future__ import annotations

import concurrent.futures
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import yaml  # noqa: E402
from service_runner import prepare  # noqa: E402
from test_service import ASSIGNMENT, PARTLY_RIGHT, Client, answered, pending, released  # noqa: E402


def main() -> None:
    students = [f"s{i:02d}" for i in range(20)]
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        service = prepare(Path(tmp), students)
        service.start()
        try:
            answers = yaml.safe_load(PARTLY_RIGHT.read_text())["answers"]
            answers["anarchy-answer"] = 'anarchy_answer = "b".strip()'
            release = released(service.course)

            def send(student: str) -> None:
                client = Client(service.url, service.codes[student])
                for n in range(10):
                    client.upload(answered(release, answers, f"{student}-{n}"), f"{student}-{n}.ipynb")

            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
                list(pool.map(send, students))
            while pending(service):
                time.sleep(0.2)
            elapsed = time.perf_counter() - start
        finally:
            service.stop()
        with sqlite3.connect(service.course / "gradebook.db") as db:
            rows = db.execute(
                "select (julianday(graded_at) - julianday(uploaded_at)) * 86400, status from service_submissions"
            ).fetchall()
    waits = sorted(seconds for seconds, _ in rows)
    graded = sum(status == "graded" for _, status in rows)
    print(f"{ASSIGNMENT}: {len(rows)} uploads from 20 clients, {graded} graded")
    print(f"throughput: {len(rows) / elapsed:.1f} notebooks/s ({elapsed:.1f} s in all)")
    median, p95 = statistics.median(waits), waits[int(0.95 * len(waits))]
    print(f"upload to feedback: median {median:.2f} s, 95th percentile {p95:.2f} s")


if __name__ == "__main__":
    main()
