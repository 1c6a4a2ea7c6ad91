"""YAML of the declarative files (layers, metrics, gaps) read with libyaml's C parser when PyYAML has
it (about 9× faster than the pure-Python one: the catalogue is read at a process's first request)."""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """``yaml.safe_load`` with the C parser: the same safe constructors, the same values."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 (a safe loader)
