"""Small English for messages: "an image layer", "1 layer", "2 layers"."""

from __future__ import annotations


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
