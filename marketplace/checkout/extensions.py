"""What apps built on checkout add to its pages and notices, without checkout importing them.

canteen builds on checkout (an order can be a unit's order), so the dependency runs one way: an app subclasses
`OrderExtension`, overrides the hooks it fills in and registers one instance from its `AppConfig.ready()`
(`extensions.register(CanteenOrders())`). Checkout asks every registered extension through the functions at the
bottom. Each hook's default adds nothing, so checkout works on its own.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OrderFor:
    """Someone other than the buyer an order can be placed for (a canteen unit): the value of its choice on the
    "who is this order for?" step, its name, the choice's label, and the checkout page it leads to."""

    value: str
    name: str
    label: str
    url: str


class OrderExtension:
    """The hooks; override the ones you fill in."""

    def order_for_choices(self, user):
        """[OrderFor] the user may order the cart for instead of themselves; pre-selected first."""
        return []

    def account_sections(self, request):
        """[HTML] sections of the buyer's account page (marketplace/checkout/account.html), after the profile."""
        return []

    def order_path(self, order):
        """The path where the buyer sees and pays `order` if not the order page, else None."""
        return None

    def notice_recipients(self, order, kind):
        """[cms.notify.Recipient] who else hears of the order notice `kind` (checkout.notifications.SUBJECTS):
        checkout itself names the buyer and the vendors, nobody for "approval_requested"."""
        return []

    def vendor_part_context(self, request, part):
        """Extra context for the vendor's page of an order part (marketplace/admin/orders/vendor_detail.html)."""
        return {}

    def vendor_part_templates(self, part):
        """{slot: [template name]} the vendor's page of an order part includes with its whole context: "summary"
        (rows of its facts list, `<dt>`/`<dd>`) and "sections" (after the shipping form)."""
        return {}

    def vendor_part_urls(self):
        """URL patterns added under /admin/vendor-orders/ (namespace `vendor_orders`), e.g. `<int:pk>/invoice/`."""
        return []


_extensions = []


def register(extension):
    """Add `extension` (once per class: an app's ready() may run again in tests)."""
    if not any(type(known) is type(extension) for known in _extensions):
        _extensions.append(extension)
    return extension


def unregister(extension):
    if extension in _extensions:
        _extensions.remove(extension)


def registered():
    return tuple(_extensions)


def order_for_choices(user):
    return [choice for extension in _extensions for choice in extension.order_for_choices(user)]


def account_sections(request):
    return [section for extension in _extensions for section in extension.account_sections(request)]


def order_path(order):
    for extension in _extensions:
        path = extension.order_path(order)
        if path:
            return path
    return None


def notice_recipients(order, kind):
    return [person for extension in _extensions for person in extension.notice_recipients(order, kind)]


def vendor_part_context(request, part):
    context = {}
    for extension in _extensions:
        context.update(extension.vendor_part_context(request, part))
    return context


def vendor_part_templates(part):
    slots = {"summary": [], "sections": []}
    for extension in _extensions:
        for slot, template_names in extension.vendor_part_templates(part).items():
            slots[slot].extend(template_names)
    return slots


def vendor_part_urls():
    return [pattern for extension in _extensions for pattern in extension.vendor_part_urls()]
