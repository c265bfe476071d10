"""The 消费帮扶 chart as server-rendered SVG: stacked monthly bars (mountain-county produce below, other above)
and a dashed line at the monthly target (the year's target amount / 12). No JavaScript; the page shows a table
of the same numbers beside it."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 36
MOUNTAIN_COLOUR, OTHER_COLOUR, TARGET_COLOUR = "#2f7d4f", "#c9d3cc", "#c0392b"


def _money(value):
    return f"{value:,.0f}"


def share_chart(share):
    monthly_target = (share.target_amount / 12) if share.target_amount else None
    top_value = max([m["spend"] for m in share.months] + [monthly_target or Decimal("0"), Decimal("1")])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / 12
    bar_w = slot * 0.62

    def y(value):
        return TOP + plot_h - float(value) / float(top_value) * plot_h

    title = _("Spend by month, %(year)s: mountain-county produce and other") % {"year": share.year}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="share-chart-title" class="share-chart" width="100%">',
        f'<title id="share-chart-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#555"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{_money(top_value)}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for index, month in enumerate(share.months):
        x = LEFT + index * slot + (slot - bar_w) / 2
        base = TOP + plot_h
        mountain_top = y(month["mountain"])
        spend_top = y(month["spend"])
        label = _("Month %(month)s: mountain %(mountain)s, other %(other)s") % {
            "month": month["month"],
            "mountain": month["mountain"],
            "other": month["other"],
        }
        parts.append(f"<g><title>{escape(label)}</title>")
        if month["other"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{spend_top:.1f}" width="{bar_w:.1f}" height="{mountain_top - spend_top:.1f}" '
                f'fill="{OTHER_COLOUR}"/>'
            )
        if month["mountain"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{mountain_top:.1f}" width="{bar_w:.1f}" height="{base - mountain_top:.1f}" '
                f'fill="{MOUNTAIN_COLOUR}"/>'
            )
        if month["spend"]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{spend_top - 3:.1f}" text-anchor="middle" font-size="10">'
                f"{_money(month['spend'])}</text>"
            )
        parts.append("</g>")
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{base + 14}" text-anchor="middle" font-size="11">{month["month"]}</text>'
        )
    if monthly_target:
        ty = y(monthly_target)
        # Outside the f-string below: makemessages cannot find a string inside an f-string's expression.
        target_label = _("Monthly target %(amount)s") % {"amount": _money(monthly_target)}
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="{TARGET_COLOUR}" '
            f'stroke-dasharray="6 4" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{ty - 4:.1f}" text-anchor="end" font-size="11" fill="{TARGET_COLOUR}">'
            f"{escape(target_label)}</text>"
        )
    legend_y = HEIGHT - 6
    parts += [
        f'<rect x="{LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{MOUNTAIN_COLOUR}"/>',
        f'<text x="{LEFT + 14}" y="{legend_y}" font-size="11">{escape(_("Mountain-county produce"))}</text>',
        f'<rect x="{LEFT + 200}" y="{legend_y - 9}" width="10" height="10" fill="{OTHER_COLOUR}"/>',
        f'<text x="{LEFT + 214}" y="{legend_y}" font-size="11">{escape(_("Other"))}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
