"""Attacks a submission can make on the grader, one test each: the score stays as earned, the grader survives.

Each attack is added as an extra code cell to a notebook whose honest score is known.
Limits are tightened so the suite stays fast; the defaults are the same mechanisms with
larger numbers.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from conftest import CH01_SOURCE as SOURCE
from conftest import COURSE, ROOT

from autograder.course import Course
from autograder.grading import grade_notebook
from autograder.sandbox import Limits, bubblewrap, run_cells

FAST = Limits(cell_seconds=2, notebook_seconds=10, cpu_seconds=8, memory_bytes=1024**3, processes=24)
HONEST = {"anarchy-test": 1.0, "internal-test": 2.0, "cases-test": 1.8}  # cases: three of five right


def honest_notebook() -> nbformat.NotebookNode:
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "cases-answer":
            cell.source = (
                'cases = {"nato-1949": "external balancing", "japan-2022": "internal balancing", '
                '"finland-sweden-2022": "external balancing", "italy-1940": "internal balancing", '
                '"britain-dreadnoughts": "bandwagoning"}'
            )
    return nb


def grade_with_attack(course: Course, tmp_path: Path, attack: str, where: int | None = None):
    nb = honest_notebook()
    cell = nbformat.v4.new_code_cell(attack)
    cell.id = "attack"
    nb.cells.insert(len(nb.cells) if where is None else where, cell)
    path = tmp_path / "attack.ipynb"
    nbformat.write(nb, path)
    return grade_notebook(path, course, limits=FAST)


def code_scores(result) -> dict[str, float]:
    return {q.grade_id: round(q.points, 2) for q in result.questions if q.kind == "code"}


ATTACKS = {
    "redefine-builtins": "import builtins\nbuiltins.round = lambda *a, **k: 3\nbuiltins.sum = lambda *a: 99\n"
    "builtins.isinstance = lambda *a: True\nAssertionError = Exception",
    "redefine-test-helpers": "def assert_equal(*a): return True\nround = lambda *a: 3\nsum = lambda *a: 5\n"
    "_key = {}\nint = float = lambda *a: 3.0",
    "answer-objects-that-lie": "class Liar(dict):\n    def __eq__(self, other): return True\n"
    "    def get(self, *a): return 'bandwagoning'\ncases = Liar(cases)",
    "monkeypatch-autograder": "try:\n    import autograder.code_tests as t, autograder.grading as g\n"
    "    t.run_test = lambda *a, **k: None\n    g.UNANSWERED = set()\nexcept Exception:\n    pass",
    "raise-systemexit": "raise SystemExit(0)",
    "raise-keyboardinterrupt": "raise KeyboardInterrupt",
    "infinite-loop": "while True:\n    pass",
    "sleep-past-limit": "import time\ntime.sleep(60)",
    "cpu-loop-ignoring-alarm-catching-everything": (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nx = 0\nfor _ in range(3):\n"
        "    try:\n        while True:\n            x += 1\n    except BaseException:\n        pass"
    ),
    "ignore-alarm-and-loop": "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
    "memory-bomb": "hog = bytearray(8 * 1024**3)",
    "growing-memory": "hog = []\nwhile True:\n    hog.append(bytearray(50 * 1024**2))",
    "print-hundreds-of-mb": "import sys\nfor _ in range(400):\n    sys.stdout.write('x' * 1_000_000)",
    "fork-bomb": "import os, time\nfor _ in range(200):\n    try:\n        if os.fork() == 0:\n"
    "            time.sleep(2)\n            os._exit(0)\n    except OSError:\n        break",
    "write-fake-result": "import os, json\nfor fd in range(3, 20):\n    try:\n"
    "        os.write(fd, json.dumps({'values': {'x': 1}, 'errors': {}}).encode())\n"
    "    except OSError:\n        pass",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_leaves_the_honest_score_and_the_grader_standing(course, tmp_path, name: str) -> None:
    result = grade_with_attack(course, tmp_path, ATTACKS[name])
    assert result.graded, result.reason
    assert code_scores(result) == HONEST, f"{name}: {result.execution}"


def test_os_exit_ends_only_the_students_own_run_and_is_explained(course, tmp_path) -> None:
    result = grade_with_attack(course, tmp_path, "import os\nos._exit(0)", where=1)
    assert result.graded and "stopped before its answers could be read" in result.execution
    assert all(q.points == 0 for q in result.questions if q.kind == "code")
    assert sum(q.points for q in result.questions if q.kind == "written") == 12, "written answers are still graded"


def test_a_crash_before_the_answers_loses_only_those_answers(course, tmp_path) -> None:
    result = grade_with_attack(course, tmp_path, "raise RuntimeError('boom')", where=1)
    assert code_scores(result) == HONEST and "RuntimeError: boom" in result.execution


def test_student_code_cannot_read_rubrics_solutions_or_the_gradebook() -> None:
    if not bubblewrap() and os.environ.get("CI"):
        pytest.fail("bubblewrap is not installed; CI must install it (apt-get install bubblewrap)")
    if not bubblewrap():
        pytest.skip("filesystem isolation needs bubblewrap")
    search = r"""
import os
SECRETS = [b"INSTRUCTOR ONLY", b"as Italy did when it joined", b'anarchy_answer == \\"b\\"', b"strong_or_threat"]
found, readable = [], []
for top in ("/", os.path.expanduser("~"), os.getcwd()):
    for root, dirs, files in os.walk(top):
        if root.startswith(("/proc", "/sys", "/dev", "/usr")):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            if name.endswith((".yaml", ".db", ".ipynb", ".md")) or "rubric" in path or "source" in path:
                readable.append(path)
                try:
                    with open(path, "rb") as f:
                        text = f.read(2_000_000)
                except OSError:
                    continue
                if any(secret in text for secret in SECRETS):
                    found.append(path)
"""
    run = run_cells([("search", search)], ["found", "readable"], FAST)
    assert run.values["found"] == []
    assert not any(path.startswith((str(COURSE), str(ROOT / "book"))) for path in run.values["readable"])


def test_student_code_cannot_write_outside_its_scratch_folder(tmp_path) -> None:
    if not bubblewrap():
        pytest.skip("filesystem isolation needs bubblewrap") if not os.environ.get("CI") else pytest.fail("no bwrap")
    target = COURSE / "gradebook-attack-probe.db"
    attack = (
        f"try:\n    open({str(target)!r}, 'w').write('pwned')\n    wrote = True\nexcept OSError:\n    wrote = False"
    )
    run = run_cells([("write", attack)], ["wrote"], FAST)
    assert run.values == {"wrote": False} and not target.exists()


def test_student_code_has_no_network() -> None:
    if not bubblewrap():
        pytest.skip("network isolation needs bubblewrap") if not os.environ.get("CI") else pytest.fail("no bwrap")
    attack = (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    net = 'connected'\n"
        "except OSError as e:\n    net = type(e).__name__\n"
        "try:\n    socket.getaddrinfo('pypi.org', 443)\n    dns = 'resolved'\nexcept OSError as e:\n    dns = 'failed'"
    )
    run = run_cells([("net", attack)], ["net", "dns"], FAST)
    assert run.values["net"] != "connected" and run.values["dns"] == "failed"


def test_the_environment_is_scrubbed(monkeypatch) -> None:
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    run = run_cells([("env", "import os\nenv = dict(os.environ)")], ["env"], FAST)
    env = json.dumps(run.values["env"])
    assert "s3cret" not in env and "GRADER_SECRET" not in env


@pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")
def test_tampered_locked_cells_are_reported_and_the_original_tests_used(course, tmp_path) -> None:
    nb = honest_notebook()
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells["cases-test"].source = "pass  # the student emptied the test"
    cells["anarchy-question"].source = "Changed instructions."
    del nb.cells[nb.cells.index(cells["internal-test"])]
    nb.cells.append(nbformat.from_dict(json.loads(json.dumps(cells["anarchy-test"]))))  # a duplicate
    nb.cells.remove(cells["intro"])
    nb.cells.append(cells["intro"])  # moved to the end
    path = tmp_path / "tampered.ipynb"
    nbformat.write(nb, path)
    result = grade_notebook(path, course, limits=FAST)
    kinds = {(p.grade_id, p.kind) for p in result.problems}
    assert {
        ("cases-test", "edited"),
        ("anarchy-question", "edited"),
        ("internal-test", "deleted"),
        ("anarchy-test", "duplicated"),
        ("", "moved"),
    } <= kinds
    assert code_scores(result) == HONEST


def test_a_deleted_answer_cell_scores_zero_with_a_message(course, tmp_path) -> None:
    nb = honest_notebook()
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "balancing-and-stability"]
    path = tmp_path / "deleted.ipynb"
    nbformat.write(nb, path)
    result = grade_notebook(path, course, limits=FAST)
    question = next(q for q in result.questions if q.grade_id == "balancing-and-stability")
    assert question.points == 0 and "deleted" in question.feedback
    assert ("balancing-and-stability", "missing-answer") in {(p.grade_id, p.kind) for p in result.problems}


def test_no_sandbox_leftovers() -> None:
    cgroups = Path("/sys/fs/cgroup/pids")
    before = set(Path("/tmp").glob("autograder-*")) | set(cgroups.glob("autograder-*"))
    run_cells([("a", "import subprocess\nchild = subprocess.Popen(['sleep', '30']).pid")], ["child"], FAST)
    after = set(Path("/tmp").glob("autograder-*")) | set(cgroups.glob("autograder-*"))
    assert after <= before, "a scratch folder or cgroup of this sandbox was left behind"


def test_stale_cgroups_of_a_killed_grader_are_swept() -> None:
    cgroups = Path("/sys/fs/cgroup/pids")
    if os.geteuid() != 0 or not cgroups.is_dir():
        pytest.skip("pids cgroups are used only when the grader runs as root")
    stale = cgroups / "autograder-stale-test"
    stale.mkdir(exist_ok=True)
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    run_cells([("a", "x = 1")], ["x"], FAST)
    assert not stale.exists()


def test_a_course_without_public_data_still_runs_code(tmp_path) -> None:
    run = run_cells([("a", "x = 41 + 1")], ["x"], FAST, data_dir=tmp_path / "no-such-folder")
    assert run.values == {"x": 42} and run.failure is None


def test_answers_too_large_to_read_are_refused_with_a_reason_not_truncated() -> None:
    # 20 MB of answers: the grader keeps at most 16 MB, so it must say so instead of
    # silently falling back to an earlier, smaller snapshot.
    run = run_cells([("small", "x = 1"), ("huge", "x = 'y' * (20 * 1024 * 1024)")], ["x"])
    assert run.values == {} and run.failure == "the answers were too large to read"
