"""Server-side SVG charts (pygal) for the dashboard, the statistics and the reports pages,
the response that serves one, and the cells of the table that goes with it.

The SVG is shown with ``<img>``: no script, nothing fetched from elsewhere. pygal writes an
inline configuration script and credit comments even with ``js=[]``; both are taken out of
the tree before it is serialised. Every chart sits next to a table with its numbers.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pygal
from flask import Response
from pygal.style import Style

# pygal puts an old-style finder (for its map plugins, unused here) on sys.meta_path; it has
# no find_spec, so every later failed import (an optional "import numpy" in openpyxl, say)
# warns ImportWarning, an error under the test settings. Take it off again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

# Colours with enough contrast on white, told apart by more than hue (the line chart also
# uses dashes for target and baseline).
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0b5ed7", "#b02a37", "#495057", "#198754", "#6f42c1"),
    font_family='"Noto Sans CJK JP", "IPAGothic", "Hiragino Sans", "Meiryo", sans-serif',
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
)

SVG_MIMETYPE = "image/svg+xml"
# The SVG carries its style in a <style> element; it may not run or fetch anything.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def svg_response(markup: str) -> Response:
    """A chart's SVG as a response with its own Content-Security-Policy."""
    response = Response(markup, mimetype=SVG_MIMETYPE)
    # Its own policy: the default one (set later with setdefault) forbids the inline <style>.
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


def number_text(value, digits: int = 0) -> str:
    """A number as shown in a table: thousands separated, ``digits`` decimals, — for None."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table_cells(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    """A chart's table rows as display text (formatted here: a macro call per cell is slow);
    fractions with one decimal."""
    return [
        [number_text(v, 1 if isinstance(v, float) else 0) if isinstance(v, int | float)
         else "—" if v is None else str(v) for v in row]
        for row in rows
    ]


def _strip_active_content(root):
    """Remove <script> elements and comments (pygal's credits name web addresses)."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if not isinstance(child.tag, str) or tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _config(title: str, **extra) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "js": [],  # no pygal.js from the internet
        "disable_xml_declaration": True,
        # width/height on the <svg>: an <img> then keeps the chart's own proportions.
        "explicit_size": True,
        "width": 800,
        "height": 400,
        "legend_at_bottom": True,
        "x_label_rotation": 30,
        "print_values": False,
        "show_minor_x_labels": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "no_data_text": extra.pop("no_data_text", ""),
        **extra,
    }


XLINK_DECLARATION = ' xmlns:xlink="http://www.w3.org/1999/xlink"'


def _render(chart) -> str:
    chart.add_xml_filter(_strip_active_content)
    svg = chart.render(is_unicode=True)
    # With lxml installed (python-docx brings it) pygal declares the xlink namespace; no
    # xlink attribute is left once scripts are gone, so the unused declaration goes too.
    if "xlink:" not in svg.replace(XLINK_DECLARATION, ""):
        svg = svg.replace(XLINK_DECLARATION, "")
    return svg


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    no_data_text: str = "",
) -> str:
    """A line chart; the first series is drawn solid, the others dashed."""
    chart = pygal.Line(**_config(title, no_data_text=no_data_text, allow_interruptions=True,
                                 include_x_axis=True))  # from 0, so the baseline shows
    chart.x_labels = list(labels)
    for index, (name, values) in enumerate(series):
        style = {} if index == 0 else {"stroke_style": {"width": 3, "dasharray": "8, 4"}}
        chart.add(name, list(values), show_dots=index == 0, **style)
    return _render(chart)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    horizontal: bool = False,
    no_data_text: str = "",
) -> str:
    """A bar chart with one bar per label and series (horizontal for long names)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(400, 120 + 22 * len(labels) * max(1, len(series))) if horizontal else 400
    chart = kind(**_config(title, no_data_text=no_data_text, height=height,
                           include_x_axis=True))
    # pygal draws the first horizontal bar at the bottom: reverse, so they read top-down.
    order = slice(None, None, -1) if horizontal else slice(None)
    chart.x_labels = list(labels)[order]
    for name, values in series:
        chart.add(name, list(values)[order])
    return _render(chart)


def top_rows(rows: list) -> list:
    """The rows of a department chart: the top level (or, under a single top department,
    that department and the level below); the table next to it has every row."""
    top = [row for row in rows if row.depth == 0]
    if len(top) == 1:
        top = [row for row in rows if row.depth <= 1]
    return top
