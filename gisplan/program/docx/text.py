"""Cell text as a reader should see it: one space between words, no line breaks, and words typed
with Latin look-alike letters inside Cyrillic words (or the reverse) spelt in one script.

``«Цифровa трансформацiя»`` (Latin ``a`` and ``i``) becomes ``«Цифрова трансформація»``; a word
with a letter that has no look-alike in the other script (``Starlink``, ``web``) is left alone.
"""

from __future__ import annotations

import re

from ..values import clean_text

LATIN_TO_CYRILLIC = dict(zip("aceiopxyABCEHIKMOPTXy", "асеіорхуАВСЕНІКМОРТХу"))
CYRILLIC_TO_LATIN = {v: k for k, v in LATIN_TO_CYRILLIC.items()}
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def _one_script(match: re.Match) -> str:
    word = match.group(0)
    if not (_CYRILLIC.search(word) and _LATIN.search(word)):
        return word
    cyrillic_only = any(_CYRILLIC.match(ch) and ch not in CYRILLIC_TO_LATIN for ch in word)
    latin_only = any(_LATIN.match(ch) and ch not in LATIN_TO_CYRILLIC for ch in word)
    if cyrillic_only and not latin_only:
        return "".join(LATIN_TO_CYRILLIC.get(ch, ch) for ch in word)
    if latin_only and not cyrillic_only:
        return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in word)
    return word


def fix_lookalikes(text: str) -> str:
    return _WORD.sub(_one_script, text)


def normalise(text: str) -> str:
    """Clean spaces and line breaks (``clean_text``) and spell every word in one script."""
    return fix_lookalikes(clean_text(text.replace("\t", " ")))
