"""The 消费帮扶 chart as server-rendered SVG: stacked monthly bars (mountain-county produce below, other above)
and a dashed line at the monthly target (the year's target amount / 12). No JavaScript; the page shows a table
of the same numbers beside it.

Every text is translated in the page's language (call it while the request's language is active). Text never
sits on the bars: the axis values are left of the plot, and the target's amount is in the legend below it. The
font size is chosen for the chart drawn 360 px wide on a phone (viewBox 640 wide, so 22 units ≈ 12 px)."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 410
LEFT, RIGHT, TOP = 88, 10, 16
PLOT_BOTTOM = 290  # x axis; month numbers below it, then the legend
FONT = 22
MOUNTAIN_COLOUR, OTHER_COLOUR, TARGET_COLOUR, INK = "#2f7d4f", "#b9c6bd", "#b3261e", "#1f2d2a"


def _money(value):
    return f"{value:,.0f}"


def share_chart(share):
    monthly_target = (share.target_amount / 12) if share.target_amount else None
    top_value = max([m["spend"] for m in share.months] + [monthly_target or Decimal("0"), Decimal("1")])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_BOTTOM - TOP
    slot = plot_w / 12
    bar_w = slot * 0.66

    def y(value):
        return TOP + plot_h - float(value) / float(top_value) * plot_h

    title = _("Spend by month, %(year)s: mountain-county produce and other") % {"year": share.year}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="share-chart-title" class="share-chart" width="100%" font-size="{FONT}" fill="{INK}">',
        f'<title id="share-chart-title">{escape(title)}</title>',
    ]
    # Axis values, left of the plot, with light grid lines at 0, half and the top.
    for fraction in (0, 0.5, 1):
        value = top_value * Decimal(str(fraction))
        gy = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" '
            f'stroke="{"#555" if fraction == 0 else "#e2ddd0"}"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{gy + 7:.1f}" text-anchor="end">{_money(value)}</text>')
    for index, month in enumerate(share.months):
        x = LEFT + index * slot + (slot - bar_w) / 2
        mountain_top = y(month["mountain"])
        spend_top = y(month["spend"])
        label = _("Month %(month)s: mountain %(mountain)s, other %(other)s") % {
            "month": month["month"],
            "mountain": month["mountain"],
            "other": month["other"],
        }
        parts.append(f"<g><title>{escape(label)}</title>")
        if month["spend"] > month["mountain"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{spend_top:.1f}" width="{bar_w:.1f}" height="{mountain_top - spend_top:.1f}" '
                f'fill="{OTHER_COLOUR}"/>'
            )
        if month["mountain"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{mountain_top:.1f}" width="{bar_w:.1f}" '
                f'height="{PLOT_BOTTOM - mountain_top:.1f}" fill="{MOUNTAIN_COLOUR}"/>'
            )
        parts.append("</g>")
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{PLOT_BOTTOM + 26}" text-anchor="middle">{month["month"]}</text>'
        )
    parts.append(f'<text x="{LEFT - 8}" y="{PLOT_BOTTOM + 26}" text-anchor="end">{escape(_("Month"))}</text>')
    if monthly_target:
        ty = y(monthly_target)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="{TARGET_COLOUR}" '
            f'stroke-dasharray="8 5" stroke-width="3"/>'
        )
    # Legend below the plot: two rows, so that Chinese and English labels both fit at phone width.
    row1, row2 = PLOT_BOTTOM + 66, PLOT_BOTTOM + 104
    parts += [
        f'<rect x="{LEFT}" y="{row1 - 17}" width="18" height="18" fill="{MOUNTAIN_COLOUR}"/>',
        f'<text x="{LEFT + 22}" y="{row1}">{escape(_("Mountain-county produce"))}</text>',
        f'<rect x="{LEFT + 300}" y="{row1 - 17}" width="18" height="18" fill="{OTHER_COLOUR}"/>',
        f'<text x="{LEFT + 322}" y="{row1}">{escape(_("Other"))}</text>',
    ]
    if monthly_target:
        target_text = _("Monthly target: %(amount)s") % {"amount": f"¥{_money(monthly_target)}"}
        parts += [
            f'<line x1="{LEFT}" y1="{row2 - 7}" x2="{LEFT + 18}" y2="{row2 - 7}" stroke="{TARGET_COLOUR}" '
            f'stroke-dasharray="8 5" stroke-width="3"/>',
            f'<text x="{LEFT + 22}" y="{row2}" fill="{TARGET_COLOUR}">{escape(target_text)}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
