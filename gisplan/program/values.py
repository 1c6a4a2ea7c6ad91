"""Cell values as written in program documents: numbers with a decimal comma and space thousands,
yes/no words, and the funding markers. Nothing is rounded: ``2,74`` stays ``Decimal('2.74')``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

WITHIN_ESTIMATES = "В межах кошторисних призначень"
ACTIVE_NO_COST = "+"
NOT_ACTIVE = "-"
MARKERS = (WITHIN_ESTIMATES, ACTIVE_NO_COST, NOT_ACTIVE)

YES_WORDS = {"так", "yes", "+"}
NO_WORDS = {"ні", "no", "-"}

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?$")


class ValueProblem(ValueError):
    """A cell that is neither of the allowed kinds; the message says what was expected."""


def clean_text(value: str) -> str:
    """NFC, no non-breaking spaces, single spaces, stripped."""
    value = unicodedata.normalize("NFC", value).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(value.split())


def parse_number(text: str) -> Decimal | None:
    """``"8 632"`` → 8632, ``"2,74"`` → 2.74, ``"30%"`` → 30; None when it is not a number."""
    t = clean_text(text).rstrip("%").strip()
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None


def parse_amount(raw) -> Decimal | str | None:
    """A funding cell: a number (тис. грн), one of :data:`MARKERS`, or None when empty."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    text = clean_text(str(raw))
    if not text:
        return None
    if text.casefold() == WITHIN_ESTIMATES.casefold():
        return WITHIN_ESTIMATES
    if text in ("+", "-", "–", "—"):
        return ACTIVE_NO_COST if text == "+" else NOT_ACTIVE
    number = parse_number(text)
    if number is None:
        raise ValueProblem(f"expected an amount in тис. грн or «{WITHIN_ESTIMATES}», «+», «-»; got {text!r}")
    return number


def parse_indicator_value(raw) -> Decimal | str | None:
    """An indicator cell: a number (``%`` sign allowed), a yes/no word (kept as written), or None."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    text = clean_text(str(raw))
    if not text:
        return None
    number = parse_number(text)
    if number is not None:
        return number
    if text.casefold() in YES_WORDS | NO_WORDS:
        return text
    raise ValueProblem(f"expected a number or Так/Ні; got {text!r}")


def as_flag(value) -> bool | None:
    """Так/так/+ → True, Ні/ні/- → False; None for numbers and empty cells."""
    if isinstance(value, str):
        folded = value.casefold()
        if folded in YES_WORDS:
            return True
        if folded in NO_WORDS:
            return False
    return None


def amount_number(value) -> Decimal:
    """What an amount adds to a total: markers and empty cells add nothing."""
    return value if isinstance(value, Decimal) else Decimal(0)


def to_columns(value, number_col: str, other_col: str) -> dict:
    """Split a value into its numeric column and its text/marker column."""
    if isinstance(value, Decimal):
        return {number_col: value, other_col: None}
    return {number_col: None, other_col: value}


def from_columns(number, other):
    return number if number is not None else other


def decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def json_number(value: Decimal) -> int | float:
    """JSON form that keeps the written scale: 8632 → 8632, 100.0 → 100.0, 2.74 → 2.74."""
    return int(value) if decimals(value) == 0 else float(value)


def fmt(value) -> str:
    """Human form with a decimal comma and space thousands (for messages)."""
    if isinstance(value, Decimal):
        places = decimals(value)
        text = f"{value:,.{places}f}".replace(",", " ").replace(".", ",")
        return text
    return "∅" if value is None else str(value)


def source_key(source: str | None) -> str | None:
    """A funding source for matching totals to rows: case, quotes, hyphenation and a leading
    «бюджет» do not matter (``бюджет КП «Міськоформ-лення»`` = ``КП «Міськоформлення»``)."""
    if source is None:
        return None
    t = clean_text(source).casefold()
    t = re.sub(r"[«»\"'“”„’]", "", t).replace("-", "")
    t = " ".join(t.split())
    if t.startswith("бюджет "):
        t = t[len("бюджет "):]
    return t


def name_key(name: str) -> str:
    """A name for matching headings: case, quotes, apostrophes and punctuation do not matter."""
    t = clean_text(name).casefold().replace("’", "'").replace("ʼ", "'")
    t = re.sub(r"[«»\"“”„.:;,]", "", t)
    return " ".join(t.split())
