"""Reads a submitted notebook, refusing with a clear reason anything that is not one.

A submission is untrusted bytes. Before any parsing we bound its size; then it must be
UTF-8 JSON in nbformat 4 (older versions are upgraded by nbformat, as Jupyter does). Every
refusal is a ``SubmissionError`` whose message is fit to show the student and to record
as "not graded: <reason>".
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


class SubmissionError(Exception):
    """A submission that cannot be graded; ``str(error)`` says why, in plain words."""


def _too_large(size: int, name: str) -> SubmissionError:
    return SubmissionError(
        f"{name} is {size / 1e6:.0f} MB; notebooks over {MAX_NOTEBOOK_BYTES // 2**20} MB are not graded "
        "(clear the outputs and submit again)"
    )


def read_notebook_bytes(data: bytes, name: str = "submission") -> nbformat.NotebookNode:
    """Parse untrusted bytes as a notebook, raising SubmissionError with the reason if they are not one."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise _too_large(len(data), name)
    if b"\x00" in data:
        raise SubmissionError(f"{name} is a binary file, not a notebook")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{name} is not UTF-8 text (byte {error.start} is invalid)") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SubmissionError(
            f"{name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "the file may be truncated or corrupted"
        ) from None
    except RecursionError:
        raise SubmissionError(f"{name} nests too deeply to be a notebook") from None
    if not isinstance(raw, dict) or ("cells" not in raw and "worksheets" not in raw):
        raise SubmissionError(f"{name} is JSON but not a Jupyter notebook")
    version = raw.get("nbformat")
    if not isinstance(version, int) or version < 3:
        raise SubmissionError(f"{name} has an unsupported notebook format version ({version!r})")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises several unrelated types for malformed input
        raise SubmissionError(f"{name} is not a valid notebook: {str(error).splitlines()[0][:200]}") from None
    # Outputs stored in a submission are never trusted or read; dropping them also bounds memory.
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read ``path`` as a notebook, checking its size before reading it into memory."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise _too_large(size, path.name)
        data = path.read_bytes()
    except OSError as error:
        raise SubmissionError(f"{path.name} cannot be read: {error.strerror}") from None
    return read_notebook_bytes(data, path.name)
