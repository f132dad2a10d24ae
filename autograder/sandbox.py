"""Runs a student's code cells in a separate, limited process, and brings back plain values.

What is enforced, and by what (ARCHITECTURE.md has the full table):

- bubblewrap (when installed): a private mount namespace that holds only the Python runtime
  (read-only), a scratch folder and the public data; no network (own network namespace);
  own PID, IPC and UTS namespaces; the sandbox dies with the grader.
- rlimits, set by the child before any student code: CPU seconds, address space, written
  file size, open files, and (for non-root users) the number of processes.
- a pids cgroup when the grader runs as root, since the kernel exempts root from the
  process rlimit.
- the grader: a wall-clock limit per notebook (the child adds one per cell), a scrubbed
  environment, output captured to a capped file, and a capped result channel.

The child's stdout is never parsed. Its result is read from a separate pipe and decoded
as plain JSON, so nothing the student prints, defines or patches reaches the grader's code.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("sandbox_child.py")
CGROUP_PIDS_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
MAX_RESULT_BYTES = 16 * 1024 * 1024
OUTPUT_SHOWN_BYTES = 4096
STALE_CGROUP_SECONDS = 60


@dataclass(frozen=True)
class Limits:
    cell_seconds: int = 10
    notebook_seconds: int = 60
    cpu_seconds: int = 60
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 8 * 1024**2
    processes: int = 64


@dataclass(frozen=True)
class SandboxResult:
    values: dict[str, object]
    errors: dict[str, str]
    failure: str | None = None
    enforced: tuple[str, ...] = field(default_factory=tuple)
    output: str = ""  # the first few kilobytes the code printed, for feedback
    probes: dict[str, object] = field(default_factory=dict)  # probe expression -> its plain value
    probe_errors: dict[str, str] = field(default_factory=dict)  # probe expression -> what went wrong


class _PidsCgroup:
    """A pids cgroup for one sandbox (root only): bounds every process the student starts."""

    def __init__(self, max_pids: int) -> None:
        self.path: Path | None = None
        if os.geteuid() != 0:
            return
        for root in CGROUP_PIDS_ROOTS:
            _sweep_stale(root)
            if (root / "cgroup.procs").exists() and (
                root == CGROUP_PIDS_ROOTS[0] or (root / "cgroup.subtree_control").exists()
            ):
                candidate = root / f"autograder-{uuid.uuid4().hex}"
                try:
                    candidate.mkdir()
                    (candidate / "pids.max").write_text(str(max_pids))
                except OSError:
                    if candidate.exists():
                        candidate.rmdir()
                    continue
                self.path = candidate
                return

    def wrap(self, command: list[str]) -> list[str]:
        """Prefix ``command`` so that it joins the cgroup before it starts (no preexec_fn, so threads are safe)."""
        if self.path is None:
            return command
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *command]

    def remove(self) -> None:
        if self.path is None:
            return
        for _ in range(50):
            pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.path.rmdir()


def _sweep_stale(root: Path) -> None:
    """Remove sandbox cgroups left by a grader that was killed (empty, and older than a minute).

    A younger one may belong to a grader that has created it and is about to join it.
    """
    for stale in root.glob("autograder-*"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_CGROUP_SECONDS:
                stale.rmdir()  # fails, harmlessly, while any process is still inside


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def _python_roots() -> list[Path]:
    """Folders the interpreter needs: its installation and the virtual environment."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    return sorted(roots)


def _interpreter() -> str:
    """This interpreter's path inside the sandbox, where only the resolved folders are mounted.

    A virtual environment reached through a link (``.venv -> /elsewhere/.venv``) is mounted at
    its real place, so the interpreter must be started from there too, and still from inside
    the environment so that it finds its packages.
    """
    executable = Path(sys.executable)
    try:
        return str(Path(sys.prefix).resolve() / executable.relative_to(sys.prefix))
    except ValueError:
        return str(executable.resolve())


def _bwrap_command(bwrap: str, scratch: Path, data_dir: Path | None) -> list[str]:
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",  # noqa: S108 - a private tmpfs inside the sandbox
    ]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/etc/alternatives", "/etc/ld.so.cache"):
        if os.path.exists(system):
            command += ["--ro-bind", system, system]
    for root in _python_roots():
        command += ["--ro-bind", str(root), str(root)]
    command += [
        "--ro-bind",
        str(CHILD),
        "/sandbox/child.py",
        "--bind",
        str(scratch),
        "/submission",
        "--chdir",
        "/submission",
    ]
    if data_dir is not None:  # file by file, resolving links (a course's data may link to shared files)
        for path in sorted(data_dir.rglob("*")):
            if path.is_file():
                command += ["--ro-bind", str(path.resolve()), f"/submission/data/{path.relative_to(data_dir)}"]
    return [*command, "--"]


def run_cells(
    cells: Iterable[tuple[str, str]],
    exports: Iterable[str],
    limits: Limits | None = None,
    data_dir: Path | None = None,
    require_isolation: bool = False,
    probes: Iterable[str] = (),
) -> SandboxResult:
    """Run ``(cell_id, source)`` pairs in a fresh sandbox; return the exported values as plain data,
    and the values of ``probes``, expressions evaluated in the student's namespace after the last cell."""
    limits = limits or Limits()
    if data_dir is not None:  # bubblewrap needs an absolute path; a course may have no public data
        data_dir = data_dir.resolve() if data_dir.is_dir() else None
    bwrap = bubblewrap()
    if require_isolation and bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is required for isolation but is not installed")
    with tempfile.TemporaryDirectory(prefix="autograder-") as private:
        scratch = Path(private) / "work"
        scratch.mkdir()
        if data_dir is not None and bwrap is None:
            shutil.copytree(data_dir, scratch / "data")  # copies the files that links point to
        output = open(Path(private) / "output.txt", "wb")  # noqa: SIM115 - closed below, after the child
        read_end, write_end = os.pipe()
        python = _interpreter() if bwrap else sys.executable
        child = "/sandbox/child.py" if bwrap else str(CHILD)
        command = ([*_bwrap_command(bwrap, scratch, data_dir)] if bwrap else []) + [python, "-I", "-B", child]
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": "/submission" if bwrap else str(scratch),
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
        }
        cgroup = _PidsCgroup(limits.processes)
        request = {
            "cells": list(cells),
            "exports": list(exports),
            "probes": list(probes),
            "result_fd": write_end,
            "limits": {
                "cell_seconds": limits.cell_seconds,
                "cpu_seconds": limits.cpu_seconds,
                "memory_bytes": limits.memory_bytes,
                "file_bytes": limits.file_bytes,
                "processes": limits.processes,
            },
        }
        enforced = ["rlimits", "wall-clock", "scrubbed-env", "capped-output"]
        enforced += ["bubblewrap"] if bwrap else []
        enforced += ["pids-cgroup"] if cgroup.path else ([] if os.geteuid() == 0 else ["nproc-rlimit"])
        try:
            process = subprocess.Popen(
                cgroup.wrap(command),
                stdin=subprocess.PIPE,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=scratch,
                env=env,
                pass_fds=(write_end,),
                start_new_session=True,
            )
        except OSError as error:
            os.close(read_end)
            os.close(write_end)
            output.close()
            cgroup.remove()
            return SandboxResult({}, {}, f"the sandbox could not start: {error}", tuple(enforced))
        os.close(write_end)
        chunks: list[bytes] = []
        reader = threading.Thread(target=_read_capped, args=(read_end, chunks), daemon=True)
        reader.start()
        failure = None
        try:
            process.stdin.write(json.dumps(request).encode())
            process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            process.wait(timeout=limits.notebook_seconds)
        except subprocess.TimeoutExpired:
            failure = f"the notebook ran longer than {limits.notebook_seconds} s and was stopped"
        finally:
            _kill_group(process)
            cgroup.remove()
            reader.join(timeout=5)
            output.close()
        with open(Path(private) / "output.txt", "rb") as printed:
            shown = printed.read(OUTPUT_SHOWN_BYTES).decode("utf-8", errors="replace")
        raw = b"".join(chunks)
        if failure is None and process.returncode != 0:
            failure = _describe_exit(process.returncode, limits)
        if len(raw) > MAX_RESULT_BYTES:
            return SandboxResult({}, {}, "the answers were too large to read", tuple(enforced), shown)
        decoded = _last_snapshot(raw)
        if not isinstance(decoded, dict):
            return SandboxResult(
                {},
                {},
                failure or "the notebook's code stopped before its answers could be read",
                tuple(enforced),
                shown,
            )
        values = decoded.get("values") if isinstance(decoded.get("values"), dict) else {}
        errors = decoded.get("errors") if isinstance(decoded.get("errors"), dict) else {}
        probed = decoded.get("probes") if isinstance(decoded.get("probes"), dict) else {}
        probe_errors = decoded.get("probe_errors") if isinstance(decoded.get("probe_errors"), dict) else {}
        return SandboxResult(
            values,
            {str(k): str(v) for k, v in errors.items()},
            failure,
            tuple(enforced),
            shown,
            probed,
            {str(k): str(v) for k, v in probe_errors.items()},
        )


def _last_snapshot(raw: bytes) -> object:
    """The last complete line the child wrote: its answers after the last cell that finished."""
    for line in reversed(raw.splitlines()):
        try:
            return json.loads(line)
        except (json.JSONDecodeError, RecursionError, UnicodeDecodeError):
            continue
    return None


def _read_capped(fd: int, chunks: list[bytes]) -> None:
    """Read the child's results, keeping at most MAX_RESULT_BYTES (and one byte more, to tell)."""
    total = 0
    with os.fdopen(fd, "rb") as stream:
        while block := stream.read(65536):
            if total <= MAX_RESULT_BYTES:
                chunks.append(block[: MAX_RESULT_BYTES + 1 - total])
            total += len(block)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _describe_exit(code: int, limits: Limits) -> str:
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return f"the notebook used more than its {limits.cpu_seconds} s of CPU time or was stopped"
    if code < 0:
        return f"the notebook's code was stopped by signal {signal.Signals(-code).name}"
    return f"the notebook's code ended with exit status {code}"
