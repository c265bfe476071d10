"""What canteen adds to checkout's pages and notices, registered from CanteenConfig.ready() (checkout never imports
canteen): the "who is this order for?" step for a unit's buyers, "My buyer units" on the account page, a unit
order's page, its approvers' notice, and on the vendor's page of a unit order's part the unit's facts and the invoice
form (templates marketplace/canteen/vendor_part_*.html)."""

from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _

from cms.notify import user_recipient

from ..checkout.extensions import OrderExtension, OrderFor
from .membership import buyer_units, member_units
from .models import BuyerUnit, UnitMember


class CanteenOrders(OrderExtension):
    def order_for_choices(self, user):
        return [
            OrderFor(
                value=str(unit["pk"]),
                name=unit["name"],
                label=_("For %(unit)s: a unit order (canteen, delivery date, invoice to the unit)")
                % {"unit": unit["name"]},
                url=reverse("canteen_checkout", kwargs={"pk": unit["pk"]}),
            )
            for unit in buyer_units(user)
        ]

    def account_sections(self, request):
        """The "My buyer units" section: the units the user belongs to, roles and status as readable labels."""
        units = [
            {
                **unit,
                "role_labels": [UnitMember.Role(role).label for role in unit["roles"]],
                "status_label": BuyerUnit.Status(unit["status"]).label,
            }
            for unit in member_units(request.user)
        ]
        if not units:
            return []
        return [render_to_string("marketplace/canteen/account_units.html", {"units": units})]

    def order_path(self, order):
        return reverse("canteen_order", args=[order.number]) if order.buyer_unit_id else None

    def notice_recipients(self, order, kind):
        """An order waiting for approval goes to the unit's active approvers, the buyer among them excepted."""
        if kind != "approval_requested" or not order.buyer_unit_id:
            return []
        members = UnitMember.objects.filter(unit_id=order.buyer_unit_id, role=UnitMember.Role.APPROVER).select_related(
            "user"
        )
        return [user_recipient(m.user) for m in members if m.user_id != order.buyer_id and m.user.is_active]

    # The admin views load Wagtail's admin forms: imported when first asked, not at start-up.
    def vendor_part_context(self, request, part):
        from .admin_views import invoice_context

        return invoice_context(request, part)

    def vendor_part_templates(self, part):
        if not part.order.buyer_unit_id:
            return {}
        return {
            "summary": ["marketplace/canteen/vendor_part_summary.html"],
            "sections": ["marketplace/canteen/vendor_part_invoice.html"],
        }

    def vendor_part_urls(self):
        from .admin_views import vendor_order_invoice

        return [path("<int:pk>/invoice/", vendor_order_invoice, name="invoice")]
