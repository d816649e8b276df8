"""Output formats. A renderer turns one Report into text; add one by adding to RENDERERS."""

from __future__ import annotations

from collections.abc import Callable

from certcheck.render.json import render_json
from certcheck.render.text import render_text
from certcheck.report import Report

__all__ = ["RENDERERS", "Renderer"]

Renderer = Callable[[Report, bool], str]  # (report, colour) -> text

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
}
