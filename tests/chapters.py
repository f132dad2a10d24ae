"""Reads a chapter's MyST source into the parts the chapter template requires.

The tests check each part separately, so an author sees which part of which chapter is
wrong. See ``book/CONTRIBUTING.md`` for the template itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTER_GLOB = "ch[0-9][0-9]-*.md"

TERM_ROLE = re.compile(r"\{term\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
QUESTION_HEADING = re.compile(r"^### Question (\d) \((compare|discuss|evaluate)\)\s*$")


def chapter_files() -> list[Path]:
    return sorted(BOOK.glob(CHAPTER_GLOB))


def term_targets(text: str) -> list[str]:
    """Every glossary term a text links to, normalised as Sphinx does (lower case)."""
    return [(explicit or plain).strip().lower() for explicit, plain in TERM_ROLE.findall(text)]


def cited_keys(text: str) -> list[str]:
    """Every bibliography key a text cites (keys may carry {pre}/{post} text)."""
    keys = []
    for body in CITE_ROLE.findall(text):
        for key in body.split(","):
            keys.append(re.sub(r"\{[^}]*\}", "", key).strip())
    return keys


def words(text: str) -> int:
    """Words of prose: MyST roles count as their shown text, directive fences not at all."""
    text = re.sub(r"^:::.*$|^:[a-z-]+:.*$|^<!--.*-->$", "", text, flags=re.M)
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(?:<[^>]*>)?`", r"\1", text)
    return len(re.findall(r"[A-Za-z0-9][\w'\u2019.-]*", text))


@dataclass
class Block:
    """A ``:::`` directive block: its first line, options and body lines."""

    header: str
    options: dict[str, str]
    body: str


@dataclass
class Question:
    number: int
    kind: str
    text: str
    model_answer: str | None


@dataclass
class Chapter:
    path: Path
    label: str | None
    title: str | None
    h2: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    body: str = ""
    order: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[Block]:
    blocks = []
    for match in re.finditer(r"^:::(\{[a-z]+\}[^\n]*)\n(.*?)^:::\s*$", text, flags=re.M | re.S):
        lines = match.group(2).splitlines()
        options = {}
        while lines and (opt := re.match(r"^:([a-z-]+):\s*(.*)$", lines[0])):
            options[opt.group(1)] = opt.group(2)
            lines.pop(0)
        blocks.append(Block(match.group(1).strip(), options, "\n".join(lines).strip()))
    return blocks


def parse_chapter(path: Path) -> Chapter:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    label = re.match(r"^\((ch\d\d)\)=$", lines[0]) if lines else None
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), None)
    chapter = Chapter(path, label.group(1) if label else None, title, blocks=_blocks(text))

    # Split into ## sections; parts[0] is the chapter's head, before the first one.
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    rest = parts[1:]
    chapter.h2 = [name.strip() for name in rest[0::2]]
    chapter.sections = {name.strip(): body for name, body in zip(rest[0::2], rest[1::2], strict=True)}

    # The order of the template's parts as they appear in the file.
    markers = {
        "scope": r"^:::\{admonition\} In brief",
        "objectives": r"^## Learning objectives\s*$",
        "must-know": r"^:::\{admonition\} Five must-know facts",
        "key terms": r"^## Key terms\s*$",
        "review questions": r"^## Review questions\s*$",
    }
    found = {name: m.start() for name, rx in markers.items() if (m := re.search(rx, text, flags=re.M))}
    chapter.order = sorted(found, key=found.get)

    # The body: everything between the must-know box and "Key terms".
    must_know = re.search(r"^:::\{admonition\} Five must-know facts.*?^:::\s*$", text, flags=re.M | re.S)
    key_terms = re.search(markers["key terms"], text, flags=re.M)
    if must_know and key_terms:
        chapter.body = text[must_know.end() : key_terms.start()]

    review = chapter.sections.get("Review questions", "")
    pieces = re.split(r"^(### .+)$", review, flags=re.M)
    for heading, content in zip(pieces[1::2], pieces[2::2], strict=True):
        match = QUESTION_HEADING.match(heading)
        if not match:
            continue
        answer = re.search(r"^:::\{dropdown\} Model answer\s*\n(.*?)^:::\s*$", content, flags=re.M | re.S)
        question_text = content[: answer.start()] if answer else content
        chapter.questions.append(
            Question(
                int(match.group(1)),
                match.group(2),
                " ".join(question_text.split()),
                answer.group(1).strip() if answer else None,
            )
        )
    return chapter
