"""Matching an indicator as a document words it to a code of the canonical catalogue.

The score (0–100) is the similarity of the normalised names (rapidfuzz: the mean of the token-sort
and token-set ratios, the best over the code's name variants) corrected by the unit: a unit of the
code's kind adds :data:`UNIT_BONUS`, a unit of another kind takes :data:`UNIT_PENALTY` away. A row
at or above :data:`THRESHOLD` gets the code; below it the row stays unmatched and goes to review
with its best candidates. Every result says why (``reason``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from .canonical import CanonicalIndicator, catalogue
from .docx.text import fix_lookalikes
from .values import clean_text

THRESHOLD = 75.0
UNIT_BONUS = 5.0
UNIT_PENALTY = 20.0
CANDIDATES = 3

# words that say how a quantity is expressed or join words; they do not tell indicators apart
_STOP = {
    "та", "і", "й", "в", "у", "з", "із", "зі", "до", "на", "від", "що", "які", "яка", "який", "якого", "за",
    "по", "для", "а", "або", "чи", "як", "щодо", "частка", "кількість", "відсоток", "наявність", "тг", "омс",
    "громади", "громаді", "територіальної", "територіальній", "органу", "органі", "місцевого", "самоврядування",
    "загальної", "загальної", "числа", "кількості", "тому", "числі",
}
_UNIT_KINDS = (
    ("per_1000", re.compile(r"1000")),
    ("percent", re.compile(r"%|відсот")),
    ("bool", re.compile(r"так\s*/\s*ні|^так$|^ні$")),
    ("persons", re.compile(r"осіб|особ|чол")),
    ("coefficient", re.compile(r"коефіц")),
    ("units", re.compile(r"одиниц|^од\.?$|^шт")),
)


def unit_kind(unit: str | None) -> str | None:
    if not unit:
        return None
    u = clean_text(unit).casefold()
    for kind, pattern in _UNIT_KINDS:
        if pattern.search(u):
            return kind
    return None


def name_tokens(name: str) -> str:
    """Case, look-alike letters, apostrophes, quotes, brackets and joining words do not matter."""
    t = fix_lookalikes(clean_text(name)).casefold().replace("’", "'").replace("ʼ", "'")
    t = re.sub(r"[«»\"“”„()\[\].,:;!?/\\–—-]", " ", t)
    return " ".join(w for w in t.split() if w not in _STOP and w != "%")


@dataclass(frozen=True)
class _Variant:
    code: str
    text: str


@lru_cache
def _variants() -> tuple[_Variant, ...]:
    out = []
    for c in catalogue().values():
        for part in c.name_uk.split(" / "):
            out.append(_Variant(c.code, name_tokens(part)))
    return tuple(out)


@lru_cache
def _unit_kinds(code: str) -> frozenset[str]:
    c: CanonicalIndicator = catalogue()[code]
    return frozenset(k for u in c.units.split(",") if (k := unit_kind(u)))


@dataclass
class Candidate:
    code: str
    score: float
    name_score: float
    reason: str


@dataclass
class MatchResult:
    code: str | None  # the code when the best score reaches the threshold
    score: float
    reason: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.code is not None

    def public(self) -> dict:
        return {"code": self.code, "score": self.score, "reason": self.reason,
                "candidates": [asdict(c) for c in self.candidates]}


def _similarity(a: str, b: str, **_) -> float:
    return (fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 2


def match_indicator(name: str, unit: str | None, threshold: float = THRESHOLD) -> MatchResult:
    """The best canonical codes for an indicator row, with the score and the reason of each."""
    query = name_tokens(name)
    if not query:
        return MatchResult(None, 0.0, "the name has no words to compare")
    variants = _variants()
    hits = process.extract(query, [v.text for v in variants], scorer=_similarity, limit=25)
    kind = unit_kind(unit)
    best: dict[str, Candidate] = {}
    for _text, name_score, i in hits:
        code = variants[i].code
        kinds = _unit_kinds(code)
        if kind is None or not kinds:
            adjust, unit_note = 0.0, "unit not compared"
        elif kind in kinds:
            adjust, unit_note = UNIT_BONUS, f"unit «{unit}» is one of the code's units"
        else:
            adjust, unit_note = -UNIT_PENALTY, f"unit «{unit}» is not among the code's units ({catalogue()[code].units})"
        score = round(max(0.0, min(100.0, name_score + adjust)), 1)
        reason = f"name similarity {name_score:.0f} with «{catalogue()[code].name_uk[:80]}»; {unit_note}"
        if code not in best or best[code].score < score:
            best[code] = Candidate(code, score, round(name_score, 1), reason)
    ranked = sorted(best.values(), key=lambda c: -c.score)[:CANDIDATES]
    if not ranked:
        return MatchResult(None, 0.0, "no code of the catalogue resembles the name")
    top = ranked[0]
    if top.score >= threshold:
        return MatchResult(top.code, top.score, f"matched: {top.reason}", ranked)
    return MatchResult(None, top.score, f"below the threshold {threshold:.0f}: best {top.code} at "
                                        f"{top.score:.0f} ({top.reason})", ranked)
