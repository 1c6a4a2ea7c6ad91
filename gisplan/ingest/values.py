"""Values of a file turned into values of a layer column, or a reason why not.

Each converter takes one value as read (str, int, float, bool, date, list …, or None) and returns
the value to store, or raises :class:`Invalid` with a reason a planner understands. Empty text is
"no value". Numbers accept a decimal comma and spaces between thousands («1 234,5»); booleans accept
Ukrainian and English words; enums accept codes, Ukrainian and English labels and synonyms.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from typing import Any, Callable
from zoneinfo import ZoneInfo

from ..catalog import KATOTTG_RE, EnumValue, FieldSpec, Text

KYIV = ZoneInfo("Europe/Kyiv")
INT32 = (-(2**31), 2**31 - 1)
TRUE_WORDS = {"true", "t", "yes", "y", "1", "так", "т", "є", "+", "да", "истина", "on"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "ні", "н", "немає", "-", "нет", "ложь", "off"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[ T])")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class Invalid(ValueError):
    """A value that does not fit its column; the message is the reason shown in the report."""


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    s = str(value).strip()
    return s or None


def _number_text(s: str) -> str:
    s = s.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    return s


def to_number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        v = float(value)
    else:
        s = _text_of(value)
        if s is None:
            return None
        t = _number_text(s)
        if not _NUMBER.match(t):
            raise Invalid(f"{s[:40]!r} is not a number")
        v = float(t)
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise Invalid("infinite number")
    return v


def to_integer(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        v = value
    else:
        f = to_number(value)
        if f is None:
            return None
        if not f.is_integer():
            raise Invalid(f"{_text_of(value)!r} is not a whole number")
        v = int(f)
    if not INT32[0] <= v <= INT32[1]:
        raise Invalid(f"{v} is too large for a whole-number column")
    return v


def to_boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = _text_of(value)
    if s is None:
        return None
    w = s.casefold()
    if w in TRUE_WORDS:
        return True
    if w in FALSE_WORDS:
        return False
    raise Invalid(f"{s[:40]!r} is not yes/no (так/ні, true/false, 1/0)")


def to_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = _text_of(value)
    if s is None:
        return None
    m = _DMY.match(s)
    if m:
        try:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            raise Invalid(f"{s!r} is not a date") from None
    m = _YMD.match(s)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        return dt.date.fromisoformat(s)
    except ValueError:
        raise Invalid(f"{s[:40]!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)") from None


def to_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        v = value
    elif isinstance(value, dt.date):
        v = dt.datetime(value.year, value.month, value.day)
    else:
        s = _text_of(value)
        if s is None:
            return None
        m = _DMY.match(s)
        try:
            if m:
                v = dt.datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
            else:
                v = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace("/", "-"))
        except ValueError:
            raise Invalid(f"{s[:40]!r} is not a date and time (ISO 8601)") from None
    return v if v.tzinfo else v.replace(tzinfo=KYIV)


def to_text(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _text_of(value)


def to_json(value: Any):
    if value is None or isinstance(value, (dict, list, int, float, bool)):
        return None if value is None else json.dumps(value, ensure_ascii=False)
    s = _text_of(value)
    if s is None:
        return None
    try:
        json.loads(s)
    except ValueError:
        raise Invalid(f"{s[:40]!r} is not JSON") from None
    return s


def _split_list(value: Any) -> list | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return list(value)
    s = _text_of(value)
    if s is None:
        return None
    if s.startswith("["):
        try:
            parsed = json.loads(s)
        except ValueError:
            raise Invalid(f"{s[:40]!r} is not a JSON list") from None
        if not isinstance(parsed, list):
            raise Invalid(f"{s[:40]!r} is not a list")
        return parsed
    return [p.strip() for p in s.split(";") if p.strip()]


def to_text_list(value: Any) -> list[str] | None:
    items = _split_list(value)
    return None if items is None else [str(i) for i in items]


def to_integer_list(value: Any) -> list[int] | None:
    items = _split_list(value)
    return None if items is None else [to_integer(i) for i in items]


def to_uuid(value: Any) -> uuid.UUID | None:
    s = _text_of(value)
    if s is None:
        return None
    try:
        return uuid.UUID(s)
    except ValueError:
        raise Invalid(f"{s[:40]!r} is not a feature id (UUID)") from None


def to_katottg(value: Any) -> str | None:
    s = _text_of(value)
    if s is None:
        return None
    s = s.upper()
    if not KATOTTG_RE.fullmatch(s):
        raise Invalid(f"{s[:40]!r} is not a КАТОТТГ code (UA and 17 digits)")
    return s


def enum_converter(values: dict[str, EnumValue], label: Text) -> Callable[[Any], str | None]:
    spec = FieldSpec(type="enum", label=label, values=values)
    seen: dict[str, str] = {}
    allowed = "; ".join(f"{code} ({v.uk})" for code, v in values.items())

    def convert(value: Any) -> str | None:
        s = _text_of(value)
        if s is None:
            return None
        if s not in seen:
            code = spec.code_for(s)
            if code is None:
                raise Invalid(f"unknown value {s[:60]!r}; expected one of: {allowed}")
            seen[s] = code
        return seen[s]

    return convert


def field_converter(f: FieldSpec, name: str = "") -> Callable[[Any], Any]:
    """The converter of one layer field, with its min/max, pattern and max_length checks; text
    fields named ``*katottg`` must hold КАТОТТГ codes."""
    if f.type == "text" and name.endswith("katottg"):
        base_text = to_katottg
    else:
        base_text = to_text
    base: Callable[[Any], Any] = {
        "text": base_text, "url": to_text, "integer": to_integer, "number": to_number,
        "boolean": to_boolean, "date": to_date, "datetime": to_datetime, "json": to_json,
        "text_list": to_text_list, "integer_list": to_integer_list,
    }.get(f.type) or enum_converter(f.values or {}, f.label)
    pattern = re.compile(f.pattern) if f.pattern else None

    def convert(value: Any) -> Any:
        v = base(value)
        if v is None:
            return None
        if f.min is not None and v < f.min:
            raise Invalid(f"{v} is less than the minimum {f.min:g}")
        if f.max is not None and v > f.max:
            raise Invalid(f"{v} is more than the maximum {f.max:g}")
        if f.max_length is not None and len(v) > f.max_length:
            raise Invalid(f"{len(v)} characters, at most {f.max_length}")
        if pattern is not None and not pattern.fullmatch(v):
            raise Invalid(f"{v[:40]!r} does not match the pattern {f.pattern}")
        if f.type == "url" and not _URL.match(v):
            raise Invalid(f"{v[:60]!r} is not a web address (http://… or https://…)")
        return v

    return convert
