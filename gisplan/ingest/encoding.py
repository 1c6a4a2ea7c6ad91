"""Text encodings of files without a declared one (a Shapefile without ``.cpg``, a CSV).

UTF-8 when the bytes decode as UTF-8; otherwise the Cyrillic single-byte encoding that
charset-normalizer finds most likely among those used in Ukraine (cp1251, the usual one; KOI8-U;
cp1125, the Ukrainian DOS code page). cp1251 when nothing can be told.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

CYRILLIC = ("cp1251", "koi8_u", "cp1125")
FALLBACK = "cp1251"
SAMPLE_BYTES = 256 * 1024


def is_utf8(raw: bytes) -> bool:
    """True when ``raw`` is UTF-8 (a multi-byte character cut at the end of a sample is allowed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(raw, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect(raw: bytes) -> str:
    """The encoding of a sample of bytes: "utf-8" or a Cyrillic code page."""
    if raw.startswith(codecs.BOM_UTF8) or is_utf8(raw):
        return "utf-8"
    best = from_bytes(raw, cp_isolation=list(CYRILLIC)).best()
    return best.encoding if best is not None else FALLBACK


def sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def transcode_to_utf8(src: Path, dst: Path, encoding: str) -> None:
    """Re-encode a text file as UTF-8, streaming (bounded memory)."""
    with src.open("r", encoding=encoding, newline="") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)
