"""Charts of the results report as server-rendered SVG, in the style of the 消费帮扶 chart
(marketplace/canteen/chart.py): no JavaScript, the page shows a table of the same numbers beside each chart.

Horizontal bars, one per row, the label above its bar and the value at its end, so that long Chinese and English
labels fit a phone: the viewBox is 640 wide (drawn ≈ 360 px on a phone, so 22 units ≈ 12 px). Call while the
request's language is active; every text is escaped."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
LEFT, RIGHT, TOP = 4, 8, 8
FONT = 22
ROW = 64  # label line + bar
BAR = 22
COLOURS = ("#2f7d4f", "#3f6f9e", "#b3741e", "#7a5c99", "#9b3d3d", "#4f8a8b")
INK = "#1f2d2a"


def _value_text(value, money):
    if money:
        return f"¥{value:,.2f}"
    return f"{value:,}"


def _fit(label, room=WIDTH - LEFT - RIGHT):
    """The label cut with … to fit the chart's width (a CJK character ≈ 1 em, a Latin one ≈ 0.55 em)."""
    width, out = 0.0, []
    for char in str(label):
        width += FONT if ord(char) > 0x2E80 else FONT * 0.55
        if width > room - FONT:
            return "".join(out) + "…"
        out.append(char)
    return "".join(out)


def bar_chart(title, rows, *, money=False, chart_id="chart", max_rows=12):
    """`rows`: (label, value) pairs, drawn top to bottom. Values are Decimal (money) or int."""
    rows = list(rows)[:max_rows]
    height = TOP + max(1, len(rows)) * ROW + 8
    top_value = max([Decimal(str(v)) for _label, v in rows] + [Decimal("1")])
    plot_w = WIDTH - LEFT - RIGHT - 170  # room for the value after the longest bar
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" class="results-chart" width="100%" font-size="{FONT}" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW
        width = max(2.0, float(Decimal(str(value)) / top_value) * plot_w) if value else 0
        colour = COLOURS[index % len(COLOURS)]
        text = _value_text(value, money)
        parts.append(f"<g><title>{escape(label)}: {escape(text)}</title>")
        parts.append(f'<text x="{LEFT}" y="{y + FONT}">{escape(_fit(label))}</text>')
        if width:
            parts.append(
                f'<rect x="{LEFT}" y="{y + FONT + 8}" width="{width:.1f}" height="{BAR}" fill="{colour}" rx="3"/>'
            )
        parts.append(f'<text x="{LEFT + width + 8:.1f}" y="{y + FONT + 8 + BAR - 3}">{escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
