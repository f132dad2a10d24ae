"""Turns a notebook's result into what people read: a table, Gradescope's results.json, an HTML page.

The HTML page is self-contained (inline CSS, no script, no remote asset) and every string
from the submission is escaped, so an answer containing markup shows as text.
"""

from __future__ import annotations

import html
from typing import Any

from autograder.grading import NotebookResult


def results_json(result: NotebookResult) -> dict[str, Any]:
    """The result in Gradescope's results.json shape: score, max_score and one test per question."""
    if not result.graded:
        return {"score": 0.0, "max_score": 0.0, "output": f"not graded: {result.reason}", "tests": []}
    output = [f"Assignment: {result.assignment}"]
    output += [f"Integrity: {p.message}" for p in result.problems]
    if result.execution:
        output.append(f"Code: {result.execution}")
    if result.needs_review:
        output.append("Some answers are flagged for your instructor's review.")
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": "\n".join(output),
        "tests": [
            {"name": q.grade_id, "score": q.points, "max_score": q.max_points, "output": q.feedback}
            for q in result.questions
        ],
    }


def summary_table(result: NotebookResult) -> str:
    if not result.graded:
        return f"{result.submission}: not graded: {result.reason}"
    width = max([len(q.grade_id) for q in result.questions] + [8])
    lines = [f"{result.submission} ({result.assignment})", f"  {'question':{width}}  {'points':>11}"]
    for q in result.questions:
        flags = f"  [{', '.join(q.flags)}]" if q.flags else ""
        lines.append(f"  {q.grade_id:{width}}  {q.points:5g} / {q.max_points:<3g}{flags}")
    lines.append(f"  {'total':{width}}  {result.score:5g} / {result.max_score:<3g}")
    lines += [f"  ! {p.message}" for p in result.problems]
    return "\n".join(lines)


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left}.met{color:#1b5e20}.missed{color:#8a1c1c}
.note{background:#fff4e5;border-left:4px solid #b35c00;padding:.5rem 1rem}pre{white-space:pre-wrap}
"""


def feedback_html(result: NotebookResult) -> str:
    e = html.escape
    title = f"Feedback: {result.assignment or 'submission'}"
    parts = [
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{_STYLE}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
    ]
    if not result.graded:
        parts.append(f'<p class="note">Not graded: {e(result.reason)}</p></main></body></html>')
        return "".join(parts)
    parts.append(f"<p><strong>Score: {result.score:g} / {result.max_score:g}</strong></p>")
    for problem in result.problems:
        parts.append(f'<p class="note">{e(problem.message)}</p>')
    if result.execution:
        parts.append(f'<p class="note">Your code: </p><pre>{e(result.execution)}</pre>')
    parts.append("<table><thead><tr><th>Question</th><th>Points</th></tr></thead><tbody>")
    parts += [f"<tr><td>{e(q.grade_id)}</td><td>{q.points:g} / {q.max_points:g}</td></tr>" for q in result.questions]
    parts.append("</tbody></table>")
    for q in result.questions:
        parts.append(f"<h2>{e(q.grade_id)}: {q.points:g} / {q.max_points:g}</h2>")
        if q.answer:
            parts.append(f"<p><em>Your answer:</em></p><blockquote>{e(q.answer)}</blockquote>")
        if q.criteria:
            parts.append("<ul>")
            for _, met, text in q.criteria:
                status = "met" if met else "missed"
                parts.append(f'<li class="{status}"><strong>{status}</strong>: {e(text)}</li>')
            parts.append("</ul>")
            notes = [line for line in q.feedback.splitlines() if not line.startswith("[")]
            parts += [f'<p class="note">{e(line)}</p>' for line in notes]
        else:
            parts.append(f"<p>{e(q.feedback)}</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
