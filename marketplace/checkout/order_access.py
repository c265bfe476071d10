"""Who may open an order without an account, and where its buyer sees it.

A guest's orders open with their access token kept in the session; the selling app (a fair's ticket page)
may leave a link back to what the order pays for. Used by the checkout views and, through this module, by
the apps that sell through checkout (events), which never import checkout's views.
"""

from django.urls import reverse

# A guest's orders (paid tickets bought without an account) open with their access token: the link we send
# (`order_access`) puts {number: token} in the session, and the order pages then check it like an owner.
GUEST_ORDERS_SESSION_KEY = "checkout_guest_orders"


def grant_order_access(request, order):
    """Let this browser open a guest's order (after placing it, or after following its private link)."""
    if order.buyer_id is not None or not order.access_token:
        return
    tokens = dict(request.session.get(GUEST_ORDERS_SESSION_KEY) or {})
    tokens[order.number] = order.access_token
    request.session[GUEST_ORDERS_SESSION_KEY] = tokens


# What an order pays for, as a link the selling app gave (the fair registration's ticket page), so the order
# page can lead back to it; kept in the session of the browser that registered or opened the ticket page.
ORDER_LINKS_SESSION_KEY = "checkout_order_links"


def remember_order_link(request, order, url):
    links = dict(request.session.get(ORDER_LINKS_SESSION_KEY) or {})
    if links.get(order.number) != url:
        links[order.number] = url
        request.session[ORDER_LINKS_SESSION_KEY] = links


def guest_token(request, number):
    tokens = request.session.get(GUEST_ORDERS_SESSION_KEY) or {}
    return tokens.get(number) if isinstance(tokens, dict) else None


def order_access_url(order):
    """Where the buyer sees and pays an order: the order page, or for a guest the private link."""
    if order.buyer_id is None and order.access_token:
        return reverse("order_access", args=[order.access_token])
    return reverse("order_detail", args=[order.number])
