"""Fitting text into cells."""

from __future__ import annotations

from pathlib import Path

ELLIPSIS = "…"


def elide(text: str, width: int) -> str:
    """Fit an identifier in `width` cells: its start, then an ellipsis and its last part
    ("payments…-a": what tells replicas apart) when its first word and that part both fit,
    else only its start ("payments-…")."""
    if len(text) <= width:
        return text
    first, last = text.split("-", 1)[0], text[text.rfind("-"):]
    if "-" in text and len(first) + len(ELLIPSIS) + len(last) <= width:
        return text[: width - len(ELLIPSIS) - len(last)].rstrip("-") + ELLIPSIS + last
    return cut(text, width)


def cut(text: str, width: int) -> str:
    """Fit `text` in `width` cells, cutting the end."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS


def home_relative(path: Path) -> str:
    """A path as a shell user writes it: `~/...` under the home directory."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)
