"""The program that runs a student's code cells, inside the sandbox. Standard library only.

It reads one JSON request on stdin: the code cells, the names of the answer variables to
export, the probes (calls of the student's functions that the instructor's tests make), and
the limits. It applies the resource limits to itself before running any student code, runs
the cells in one namespace as a kernel would, and after each cell writes the exported values
as one line of plain JSON to the result file descriptor; after the last cell it evaluates the
probes and writes their values too. Only values built from None, bool, int, float, str, list,
tuple, dict and set cross back, plus numpy and pandas values as tagged lists; anything else is
reported by its type name. Nothing in this process is trusted by the grader: it only ever
sees data.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import sys
import traceback

MAX_DEPTH = 20
MAX_ITEMS = 100_000


class CellTimeout(BaseException):
    """Raised in the cell when its wall-clock time runs out (a BaseException, so `except Exception` can't eat it)."""


def plain(value: object, depth: int = 0) -> object:
    """A JSON-safe copy of ``value``, tagging sets and non-finite floats so the grader can rebuild them."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "nested too deeply"}
    if value is None or isinstance(value, bool | int | str):
        return value if not isinstance(value, int) or isinstance(value, bool) or abs(value) < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    if isinstance(value, set | frozenset):
        items = [plain(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
        return {"__set__": sorted(items, key=repr)}
    if isinstance(value, dict):
        return {"__dict__": [[plain(k, depth + 1), plain(v, depth + 1)] for k, v in list(value.items())[:MAX_ITEMS]]}
    return _plain_array(value, depth)


def _plain_array(value: object, depth: int) -> object:
    """numpy and pandas values, recognised by their module (this program imports neither)."""
    module = type(value).__module__.split(".")[0]
    kind = type(value).__name__
    try:
        if module == "numpy" and kind == "ndarray":
            return plain(value.tolist(), depth + 1)
        if module == "numpy":  # a numpy scalar
            return plain(value.item(), depth + 1)
        if module == "pandas" and kind == "Series":
            parts = (list(value.index), value.tolist(), value.name)
            return {"__series__": [plain(part, depth + 1) for part in parts]}
        if module == "pandas" and kind == "DataFrame":
            parts = (list(value.index), list(value.columns), value.values.tolist())
            return {"__frame__": [plain(part, depth + 1) for part in parts]}
    except Exception as error:  # a subclass or a broken object: report it, never crash the export
        return {"__unsupported__": f"{kind} ({type(error).__name__})"}
    return {"__unsupported__": kind}


def apply_limits(limits: dict[str, int]) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() != 0:  # the kernel does not apply this limit to root; the grader uses a cgroup then
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails instead of killing us


def evaluate_probes(
    expressions: list[str], namespace: dict[str, object], seconds: int
) -> tuple[dict[str, object], dict[str, str]]:
    """Evaluate each probe (a call of a student's function) in the student's namespace."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for expression in expressions:
        signal.alarm(seconds)
        try:
            values[expression] = plain(eval(expression, namespace))  # noqa: S307 - this is the sandbox
        except CellTimeout:
            errors[expression] = f"it ran longer than {seconds} s and was stopped"
        except BaseException as error:
            errors[expression] = "".join(traceback.format_exception_only(type(error), error)).strip()[-500:]
        finally:
            signal.alarm(0)
    return values, errors


def main() -> None:
    request = json.loads(sys.stdin.read())
    result_fd = int(request["result_fd"])
    result = os.fdopen(result_fd, "w", encoding="utf-8")
    apply_limits(request["limits"])

    def on_alarm(signum: int, frame: object) -> None:
        raise CellTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGXCPU, on_alarm)  # the per-cell CPU allowance ran out
    namespace: dict[str, object] = {"__name__": "__main__"}
    errors: dict[str, str] = {}
    cell_seconds = int(request["limits"]["cell_seconds"])
    _, notebook_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    for cell_id, source in request["cells"]:
        used = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(used.ru_utime + used.ru_stime) + cell_seconds + 1
        resource.setrlimit(resource.RLIMIT_CPU, (min(allowance, notebook_cpu - 1), notebook_cpu))
        signal.alarm(cell_seconds)
        try:
            exec(compile(source, f"<cell {cell_id}>", "exec"), namespace)  # noqa: S102 - this is the sandbox
        except CellTimeout:
            errors[cell_id] = f"the cell ran longer than {request['limits']['cell_seconds']} s and was stopped"
        except BaseException as error:  # SystemExit and KeyboardInterrupt too: the next cell still runs
            errors[cell_id] = "".join(traceback.format_exception_only(type(error), error)).strip()[-500:]
        finally:
            signal.alarm(0)
        # A snapshot after every cell: if a later cell runs away and the process is killed,
        # the answers computed before it still reach the grader.
        values = {name: plain(namespace[name]) for name in request["exports"] if name in namespace}
        result.write(json.dumps({"values": values, "errors": errors}) + "\n")
        result.flush()
    if request.get("probes"):
        probes, probe_errors = evaluate_probes(request["probes"], namespace, cell_seconds)
        snapshot = {"values": values, "errors": errors, "probes": probes, "probe_errors": probe_errors}
        result.write(json.dumps(snapshot) + "\n")
    result.close()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # the student may have closed or replaced it
            stream.flush()
    os._exit(0)  # skip atexit handlers and finalizers the student may have registered


if __name__ == "__main__":
    main()
