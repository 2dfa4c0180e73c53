"""Horizontal bar charts as inline SVG, drawn on the server: no script, no inline styles.

The chart is a picture for sighted readers; every number is also in the data table under it,
and every bar carries its number (and series) in text, never in colour alone. The viewBox
scales the chart to the width of a phone.
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360
FONT_SIZE = 13
#: A rough width of one character at FONT_SIZE, to leave room for text and shorten labels.
CHAR_WIDTH = 7.2
TEXT = "#1b1b1b"  # the site's text colour: 16:1 on white
#: Bar colours, one per series; each has at least 3:1 contrast on white (WCAG 1.4.11).
BAR_COLOURS = ("#1d4f91", "#00703c", "#8a4100", "#505a5f", "#4c2c92")

#: Short labels (dates) go left of their bar; longer ones on a line of their own above it.
SIDE_LABEL_CHARS = 12
SIDE_LABEL_WIDTH = 96
ROW = 22  # a bar with its label beside it
LABEL_LINE = 18  # a label above its bars
BAR_LINE = 18  # one bar of a group
BAR_HEIGHT = 13
GROUP_GAP = 8


def bar_chart(chart_id: str, title: str, description: str,
              bars: Sequence[tuple[str, int]]) -> Markup:
    """One bar per (label, value)."""
    return grouped_bar_chart(chart_id, title, description,
                             [(label, [("", value)]) for label, value in bars])


def grouped_bar_chart(chart_id: str, title: str, description: str,
                      groups: Sequence[tuple[str, Sequence[tuple[str, int | None]]]]) -> Markup:
    """Groups of bars: (label, [(series, value), ...]); a bar with value None is left out.

    Each bar is followed by its value, after its series' name when there is one.
    """
    groups = [(str(label), [(str(series), int(value)) for series, value in bars
                            if value is not None]) for label, bars in groups]
    values = [value for _, bars in groups for _, value in bars]
    top = max(values, default=0)
    value_texts = [_value_text(series, value) for _, bars in groups for series, value in bars]
    value_room = min(WIDTH / 2, max((len(t) for t in value_texts), default=1) * CHAR_WIDTH + 8)
    side_labels = (all(len(bars) <= 1 and not any(s for s, _ in bars) for _, bars in groups)
                   and all(len(label) <= SIDE_LABEL_CHARS for label, _ in groups))
    bar_x = SIDE_LABEL_WIDTH if side_labels else 0
    max_bar = WIDTH - bar_x - value_room

    parts: list[str] = []
    y = 0.0
    for label, bars in groups:
        if side_labels:
            parts.append(_text(bar_x - 6, y + 14, label, anchor="end"))
            bar_top = y + (ROW - BAR_HEIGHT) / 2
            y += ROW
        else:
            parts.append(_text(0, y + 13, _shorten(label, WIDTH), bold=True))
            bar_top = y + LABEL_LINE
            y += LABEL_LINE + BAR_LINE * len(bars) + GROUP_GAP
        for index, (series, value) in enumerate(bars):
            top_y = bar_top + index * BAR_LINE
            width = round(max_bar * value / top, 1) if top else 0
            if value and width < 2:
                width = 2  # a small number still shows as a bar
            colour = BAR_COLOURS[index % len(BAR_COLOURS)]
            parts.append(f'<rect x="{bar_x}" y="{top_y}" width="{width}" '
                         f'height="{BAR_HEIGHT}" fill="{colour}"/>')
            parts.append(_text(bar_x + width + 4, top_y + BAR_HEIGHT - 2,
                               _value_text(series, value)))
    height = max(y, ROW)
    # Safe to mark: every text in it went through escape() (here and in _text); the rest are
    # numbers and constant colours.
    return Markup(  # nosec B704
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="100%" role="img" aria-labelledby="{escape(chart_id)}-title '
        f'{escape(chart_id)}-desc" focusable="false">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        + "".join(parts) + "</svg>")


def _value_text(series: str, value: int) -> str:
    return f"{series}: {value}" if series else str(value)


def _shorten(label: str, room: float) -> str:
    """The label cut to what fits in `room`; the table under the chart has it in full."""
    fits = int(room / CHAR_WIDTH)
    return label if len(label) <= fits else label[:fits - 1].rstrip() + "…"


def _text(x: float, y: float, content: str, *, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (f'<text x="{x:g}" y="{y:g}" font-size="{FONT_SIZE}" fill="{TEXT}" '
            f'text-anchor="{anchor}"{weight}>{escape(content)}</text>')
