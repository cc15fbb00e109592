"""Charts drawn server-side as SVG, with their figures as a text alternative.

Pure: numbers in, markup out, nothing fetched and no script. Every label is escaped
(a principle's title or a sanction's name is data, not markup), colours are
presentation attributes (the strict CSP allows no inline style), and each chart
carries a <title> and a <desc> that say in words what it shows; the page puts the
same figures in a table beside it (templates/cases/includes/chart.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Distinguishable in colour and in greyscale, dark enough for white text.
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf8f00", "#2e75b6", "#843c0c", "#595959")

ROW_HEIGHT = 26
LABEL_WIDTH = 290  # at most; a chart with short labels uses less
CHAR_WIDTH = 7.0  # an average character at 13 px, enough for the label to fit
MAX_LABEL = 40
PLOT_WIDTH = 380
VALUE_WIDTH = 50


@dataclass
class Chart:
    """One chart: its SVG and the same figures as a table (headers, rows)."""

    key: str
    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list]
    summary: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)

    @property
    def empty(self) -> bool:
        return not any(any(isinstance(v, int) and v for v in row[1:]) for row in self.rows)


def _svg(
    key: str, title: str, summary: str, width: int, height: int, body: list[str]
) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{key}-t {key}-d">'
        f'<title id="{key}-t">{escape(title)}</title>'
        f'<desc id="{key}-d">{escape(summary)}</desc>' + "".join(body) + "</svg>"
    )


def _describe(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in items) + "."


def _short(label: str) -> str:
    """A label as drawn (the table beside the chart has it whole)."""
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bars(
    key: str, title: str, items: list[tuple[str, int]], *, unit: str = gettext_lazy("cases")
) -> Chart:
    """Horizontal bars, one per (label, value), in the order given (a workflow's order,
    an age bucket's): the order is part of what the chart says."""
    title, unit = str(title), str(unit)
    items = [(str(label), value) for label, value in items]
    top = max([v for _label, v in items] + [1])
    longest = max([len(_short(label)) for label, _v in items] + [8])
    label_width = min(LABEL_WIDTH, round(longest * CHAR_WIDTH) + 12)
    body = []
    for i, (label, value) in enumerate(items):
        y = i * ROW_HEIGHT
        w = round(PLOT_WIDTH * value / top) if value else 0
        body.append(
            f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#222">{escape(_short(label))}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{w}" height="{ROW_HEIGHT - 8}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_width + w + 6}" y="{y + 17}" font-size="13" fill="#222">{value}</text>'
        )
    height = max(len(items), 1) * ROW_HEIGHT
    summary = _("%(title)s, in %(unit)s: ") % {"title": title, "unit": unit} + _describe(items)
    return Chart(
        key=key,
        title=title,
        svg=_svg(key, title, summary, label_width + PLOT_WIDTH + VALUE_WIDTH, height, body),
        headers=["", unit.capitalize()],
        rows=[[label, value] for label, value in items],
        summary=summary,
    )


def stacked_columns(
    key: str,
    title: str,
    columns: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, str]],
) -> Chart:
    """Columns (a year, a month) each stacked by series (an outcome, a sanction), with
    a legend; the table gives every column's count per series and its total."""
    title = str(title)
    series = [(k, str(name)) for k, name in series]
    totals = [sum(counts.get(k, 0) for k, _n in series) for _c, counts in columns]
    top = max(totals + [1])
    plot_h, col_w, gap, left, bottom = 200, 34, 14, 36, 40
    room = plot_h - 20  # the tallest column leaves room for its total above it
    width = left + len(columns) * (col_w + gap) + gap
    legend_y = plot_h + bottom
    height = legend_y + ROW_HEIGHT * ((len(series) + 2) // 3) + 6
    width = max(width, 3 * 200)
    body = [
        f'<line x1="{left}" y1="{plot_h}" x2="{width - 4}" y2="{plot_h}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{plot_h - room + 4}" text-anchor="end" font-size="11" '
        f'fill="#222">{top}</text>',
        f'<text x="{left - 4}" y="{plot_h}" text-anchor="end" font-size="11" fill="#222">0</text>',
    ]
    for i, ((label, counts), total) in enumerate(zip(columns, totals, strict=True)):
        x = left + gap + i * (col_w + gap)
        y = plot_h
        for j, (k, _name) in enumerate(series):
            n = counts.get(k, 0)
            if not n:
                continue
            h = room * n / top
            y -= h
            body.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
        body.append(
            f'<text x="{x + col_w / 2}" y="{plot_h + 15}" text-anchor="middle" font-size="11" '
            f'fill="#222">{escape(label)}</text>'
        )
        if total:
            body.append(
                f'<text x="{x + col_w / 2}" y="{y - 3:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#222">{total}</text>'
            )
    legend = []
    for j, (_k, name) in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        legend.append((colour, name))
        lx, ly = 8 + (j % 3) * 200, legend_y + (j // 3) * ROW_HEIGHT
        body.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 17}" y="{ly + 11}" font-size="12" fill="#222">{escape(name)}</text>'
        )
    summary = (
        f"{title}: "
        + "; ".join(
            f"{label}: "
            + (", ".join(f"{name} {counts[k]}" for k, name in series if counts.get(k)) or _("none"))
            for label, counts in columns
        )
        + "."
    )
    return Chart(
        key=key,
        title=title,
        svg=_svg(key, title, summary, width, height, body),
        headers=["", *[name for _k, name in series], _("Total")],
        rows=[
            [label, *[counts.get(k, 0) for k, _n in series], total]
            for (label, counts), total in zip(columns, totals, strict=True)
        ],
        summary=summary,
        legend=legend,
    )
