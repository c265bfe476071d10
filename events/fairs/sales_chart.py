"""The organiser's sales chart as server-rendered SVG, in the style of marketplace/canteen/chart.py: one stacked
bar per day of payment (tickets below, stall fees above), axis values left of the plot, dates below it and the
legend (with each kind's share as a percentage) under the dates. No JavaScript; the page has a table of the same
numbers. Every text is in the request's language. Sized for 360 px on a phone: viewBox 640 wide, font 22."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cms.templatetags.cms_tags import cny, percent

WIDTH, HEIGHT = 640, 430
LEFT, RIGHT, TOP = 110, 10, 16
PLOT_BOTTOM = 290
FONT = 22
TICKET_COLOUR, STALL_COLOUR, INK = "#2f7d4f", "#8a6d1f", "#1f2d2a"
# At most this many dates are written under the bars (first, last and evenly between); every bar has its title.
MAX_DATE_LABELS = 5


def _money(value):
    return f"¥{value:,.0f}"


def sales_chart(sales):
    days = sales["days"]
    top_value = max([d["total"] for d in days] + [Decimal("1")])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    bar_w = min(slot * 0.7, 60)

    def y(value):
        return TOP + plot_h - float(value) / float(top_value) * plot_h

    title = _("Sales per day: tickets and stall fees")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="sales-chart-title" class="sales-chart" width="100%" font-size="{FONT}" fill="{INK}">',
        f'<title id="sales-chart-title">{escape(title)}</title>',
    ]
    for fraction in (0, 0.5, 1):
        value = top_value * Decimal(str(fraction))
        gy = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" '
            f'stroke="{"#555" if fraction == 0 else "#e2ddd0"}"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{gy + 7:.1f}" text-anchor="end">{_money(value)}</text>')
    shown = min(len(days), MAX_DATE_LABELS)
    labelled = {round(i * (len(days) - 1) / (shown - 1)) for i in range(shown)} if shown > 1 else {0}
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar_w) / 2
        tickets_top, total_top = y(day["tickets"]), y(day["total"])
        label = _("%(day)s: tickets %(tickets)s, stall fees %(stall_fees)s") % {
            "day": day["day"].strftime("%Y-%m-%d"),
            "tickets": cny(day["tickets"]),
            "stall_fees": cny(day["stall_fees"]),
        }
        parts.append(f"<g><title>{escape(label)}</title>")
        if day["stall_fees"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{total_top:.1f}" width="{bar_w:.1f}" height="{tickets_top - total_top:.1f}" '
                f'fill="{STALL_COLOUR}"/>'
            )
        if day["tickets"]:
            parts.append(
                f'<rect x="{x:.1f}" y="{tickets_top:.1f}" width="{bar_w:.1f}" '
                f'height="{PLOT_BOTTOM - tickets_top:.1f}" fill="{TICKET_COLOUR}"/>'
            )
        parts.append("</g>")
        if index in labelled:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{PLOT_BOTTOM + 28}" text-anchor="middle">'
                f"{day['day'].strftime('%m-%d')}</text>"
            )
    # Legend: two rows, so that Chinese and English both fit at phone width.
    row1, row2 = PLOT_BOTTOM + 76, PLOT_BOTTOM + 114
    tickets_text = _("Tickets: %(amount)s (%(share)s)") % {
        "amount": _money(sales["tickets"]),
        "share": percent(sales["tickets_share"]),
    }
    stall_text = _("Stall fees: %(amount)s (%(share)s)") % {
        "amount": _money(sales["stall_fees"]),
        "share": percent(sales["stall_fees_share"]),
    }
    parts += [
        f'<rect x="{LEFT}" y="{row1 - 17}" width="18" height="18" fill="{TICKET_COLOUR}"/>',
        f'<text x="{LEFT + 26}" y="{row1}">{escape(tickets_text)}</text>',
        f'<rect x="{LEFT}" y="{row2 - 17}" width="18" height="18" fill="{STALL_COLOUR}"/>',
        f'<text x="{LEFT + 26}" y="{row2}">{escape(stall_text)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
