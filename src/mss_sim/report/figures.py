"""Figures rendered as inline SVG: text drawn as paths, ids made unique per figure,
nothing that refers outside the page."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["new_figure", "svg"]

_HEADER = re.compile(r"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def new_figure(size: tuple[float, float] = (9, 4.8)) -> Figure:
    """A figure not tied to any pyplot state (safe in a script or a server)."""
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def svg(fig: Figure, prefix: str) -> str:
    """`fig` as an ``<svg>`` element for inlining in HTML.

    The XML declaration and DOCTYPE (which names an external DTD) are dropped, text
    is drawn as paths (no fonts to load), and every id (and reference to one) gets
    `prefix` so that several figures can share a page.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": prefix}):
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    text = _HEADER.sub("", buffer.getvalue())
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{prefix}" ', 1)
