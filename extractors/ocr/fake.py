"""A fake engine for unit tests: returns fixed lines, exactly and instantly."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from extractors.text import normalize_text
from models.text import TextLine


class FakeOcrEngine:
    """Returns the lines it was given, for every page or per page via ``pages``.

    Args:
        lines: ``(text, bbox)`` pairs returned for every page, or
        pages: a callable from the image to its ``(text, bbox)`` pairs.
        fail_on: raise ``RuntimeError`` when ``pages`` returns this sentinel text, to test error paths.
        turns: the clockwise turn that makes a page upright (:meth:`upright_turn`), fixed or from the image;
            0 by default, so that pages are read as rendered.
    """

    def __init__(
        self,
        lines: Sequence[tuple[str, Sequence[float]]] = (),
        pages: Callable[[np.ndarray], Sequence[tuple[str, Sequence[float]]]] | None = None,
        fail_on: str | None = None,
        turns: int | Callable[[np.ndarray], int] = 0,
    ) -> None:
        self.lines = list(lines)
        self.pages = pages
        self.fail_on = fail_on
        self.turns = turns
        self.calls = 0

    @property
    def name(self) -> str:
        return "fake"

    def read(self, image: np.ndarray) -> list[TextLine]:
        self.calls += 1
        pairs = list(self.pages(image)) if self.pages else self.lines
        if self.fail_on is not None and any(text == self.fail_on for text, _ in pairs):
            raise RuntimeError(f"fake engine told to fail on {self.fail_on!r}")
        return [
            TextLine(text=normalize_text(text), raw=text, score=1.0, bbox=[float(v) for v in bbox])
            for text, bbox in pairs
        ]

    def upright_turn(self, image: np.ndarray) -> int:
        return self.turns(image) if callable(self.turns) else self.turns
