"""Measures the rubric scorer against answers an instructor has already scored.

``python -m autograder.evaluate`` (``make eval``) reads ``eval/devset/<grade_id>.jsonl`` (the
answers the rubrics were developed against) and ``eval/heldout/<grade_id>.jsonl`` (answers by
another author, never used to change a rubric), scores every answer with the assignment's
rubric, and prints quadratic weighted kappa, exact agreement and the time per answer for each
question and set, with the answers it got wrong on request. Kappa is written out here because
it is ten lines, and a statistics package would be a heavy dependency for it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from autograder.rubric import QuestionRubric, load_rubrics, score_answer

ROOT = Path(__file__).resolve().parent.parent


def quadratic_weighted_kappa(expected: list[int], predicted: list[int], max_score: int) -> float:
    """Cohen's kappa with quadratic weights over the scores 0..max_score."""
    n = len(expected)
    if n == 0:
        raise ValueError("no scores to compare")
    k = max_score + 1
    observed = Counter(zip(expected, predicted, strict=True))
    row, col = Counter(expected), Counter(predicted)
    disagreement = chance = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            disagreement += weight * observed[(i, j)]
            chance += weight * row[i] * col[j] / n
    return 1.0 if chance == 0 else 1 - disagreement / chance


@dataclass(frozen=True)
class Agreement:
    grade_id: str
    n: int
    kappa: float
    exact: float
    misses: list[tuple[str, int, int, str]]  # id, expected, predicted, answer


def evaluate_question(rubric: QuestionRubric, labelled: list[dict]) -> Agreement:
    expected, predicted, misses = [], [], []
    for item in labelled:
        got = round(score_answer(rubric, item["answer"]).points)
        expected.append(int(item["score"]))
        predicted.append(got)
        if got != int(item["score"]):
            misses.append((item["id"], int(item["score"]), got, item["answer"]))
    exact = sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)
    return Agreement(
        rubric.grade_id,
        len(expected),
        quadratic_weighted_kappa(expected, predicted, int(rubric.points)),
        exact,
        misses,
    )


def read_labelled(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", type=Path, default=ROOT / "exercises" / "rubrics" / "ch01-balancing.yaml")
    parser.add_argument(
        "--sets",
        type=Path,
        nargs="+",
        default=[ROOT / "eval" / "devset", ROOT / "eval" / "heldout"],
        help="folders of <grade_id>.jsonl files (default: the development set, then the held-out set)",
    )
    parser.add_argument("--show-misses", action="store_true", help="print every answer scored differently")
    args = parser.parse_args(argv)

    rubrics = load_rubrics(args.rubric)
    for folder in args.sets:
        print(f"\n{folder.name}: {'question':28} {'answers':>7} {'kappa':>6} {'exact':>6} {'ms/answer':>9}")
        for grade_id, rubric in rubrics.items():
            path = folder / f"{grade_id}.jsonl"
            if not path.exists():
                print(f"{grade_id:28} no labelled answers at {path}", file=sys.stderr)
                continue
            labelled = read_labelled(path)
            started = time.perf_counter()
            result = evaluate_question(rubric, labelled)
            per_answer = 1000 * (time.perf_counter() - started) / max(1, result.n)
            print(
                f"{'':{len(folder.name) + 2}}{grade_id:28} {result.n:7d} {result.kappa:6.3f} {result.exact:6.1%}"
                f" {per_answer:9.2f}"
            )
            if args.show_misses:
                for item_id, want, got, answer in result.misses:
                    print(f"    {item_id}: instructor {want}, grader {got}: {answer[:300]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
