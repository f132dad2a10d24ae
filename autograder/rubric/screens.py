"""Answer-level checks that run before and beside the criteria.

Each screen catches one way a real answer goes wrong: text addressed to the grader, an
answer in another language, another sense of the word "balance", a restated question, a
list of terms with no explanation, or a near-copy of a published model answer. Screens
only remove text, zero a score or flag it for review; they never add points.
"""

from __future__ import annotations

import re
from functools import lru_cache

from autograder.rubric.model import QuestionRubric
from autograder.rubric.text import Sentence, stem, tokens

STOPWORDS = frozenset(
    "a an the and or of to in on at for by with from as is are was were be been being it its this that "
    "these those they them their there which who whom what when where why how do does did can could will "
    "would should may might must has have had not no so than then also such into about between within "
    "while whereas because if ".split()
)
# Function words that also join the words of a bare noun phrase ("balance of power", "arms and allies").
NOUN_PHRASE_WORDS = frozenset("a an the and or of in on for with from as between within".split())
ADDRESSED_TO_GRADER = re.compile(
    r"\b(grader|grading (?:system|model|program)|rubric|marker|examiner|full (?:marks|points|credit|score)"
    r"|maximum (?:marks|points|score)|(?:previous|prior|above|all) instructions|system prompt|language model"
    r"|ai (?:grader|model|assistant)|give (?:me|this answer) (?:a|an|the|full|\d))",
)
OTHER_SENSES = re.compile(
    r"\b(work[- ]life|load[- ]balanc\w*|server|servers|traffic|network requests?|budget\w*|diet\w*|nutrition"
    r"|chemical|equation|equations|redox|gymnast\w*|yoga|hormon\w*|bank account|checkbook|accounting"
    r"|ledger|tyres?|tires?|wheel alignment|inner ear|vestibular|posture)\b"
)
EXPLAINING_WORDS = frozenset(
    "is are was were be been being means mean meant refers involves involve occurs happen happens when "
    "where which who that because by so to can could will would may might should do does did has have "
    "had tend tends seek seeks try tries tried join joins joined ally allies allied side sides align "
    "aligns oppose opposes resist resists check checks build builds keep keeps prevent prevents stop "
    "stops counter counters form forms help helps make makes led lead leads create creates cause causes "
    "show shows gain gains protect protects get gets ".split()
)


def addressed_to_grader(sentence: Sentence) -> bool:
    return bool(ADDRESSED_TO_GRADER.search(sentence.text))


def explains(sentence: Sentence, english: bool = True) -> bool:
    """A sentence that says something about its terms: long enough, with a verb or a link word.

    Only English has a list of link words here; in another language length alone decides,
    and the answer is flagged for review anyway.
    """
    if len(sentence.words) < 5:
        return False
    return not english or any(
        w in EXPLAINING_WORDS or (w in STOPWORDS and w not in NOUN_PHRASE_WORDS) or w.endswith("ed")
        for w in sentence.words
    )


def is_term_list(sentences: list[Sentence], english: bool = True) -> bool:
    return bool(sentences) and not any(explains(s, english) for s in sentences)


@lru_cache(maxsize=1)
def _language_identifier():  # pragma: no cover - trivial
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language(text: str) -> str:
    """The answer's language as an ISO 639-1 code; short or mostly-English text counts as English."""
    words = tokens(text)
    if len(words) < 6:
        return "en"
    english = sum(w in STOPWORDS for w in words) / len(words)
    if english >= 0.2:
        return "en"
    code, probability = _language_identifier().classify(text)
    return code if probability >= 0.9 else "en"


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if w not in STOPWORDS and len(w) > 2}


def restates_question(text: str, rubric: QuestionRubric) -> bool:
    """True when the answer adds almost nothing to the words of the question."""
    new = content_stems(text) - content_stems(rubric.question)
    return len(new) <= 2


def about_another_sense(text: str, on_topic_hits: int) -> bool:
    """Work-life balance, load balancing, a balanced budget: the word, not the concept."""
    other = len(OTHER_SENSES.findall(text.lower()))
    return other > 0 and other >= on_topic_hits


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    stems = [stem(w) for w in tokens(text)]
    return {tuple(stems[i : i + size]) for i in range(len(stems) - size + 1)}


def copied_share(text: str, reference: str) -> float:
    """How much of the answer's four-word runs also stand in the reference text (0 to 1)."""
    own = shingles(text)
    return len(own & shingles(reference)) / len(own) if own else 0.0
