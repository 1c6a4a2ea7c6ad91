"""Message catalogues of the residents' pages: ``web/messages/{uk,en}.yaml``, same keys in both."""

from __future__ import annotations

from functools import lru_cache

import yaml

from ..settings import path_settings

LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"


def language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache
def messages(lang: str) -> dict[str, str]:
    path = path_settings().web_dir / "messages" / f"{language(lang)}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def missing_keys() -> dict[str, set[str]]:
    """Keys a catalogue lacks that another one has (tests keep this empty)."""
    keys = {lang: set(messages(lang)) for lang in LANGUAGES}
    every = set().union(*keys.values())
    return {lang: every - have for lang, have in keys.items() if every - have}
