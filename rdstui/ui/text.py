"""Fitting text into cells."""

from __future__ import annotations

ELLIPSIS = "…"


def elide(text: str, width: int) -> str:
    """Fit `text` in `width` cells, cutting the middle: identifiers differ at both ends."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    head = (width - 1) // 2 + (width - 1) % 2
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def cut(text: str, width: int) -> str:
    """Fit `text` in `width` cells, cutting the end."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS
