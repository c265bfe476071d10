"""Signed-in readers for the benchmark: session cookies of real accounts, and the personal pages they see.

Run after Django is set up against the bench database (with the hosts' REDIS_URL, so that a session made
here is the one the hosts read). Accounts come from load_demo (`canteen-prov-buyer`, `canteen-prov-finance`,
`vendor`, `checkin`); the public buyer `bench-buyer` is made here, with one cart line and one order.
"""

import functools

from bench.pages import BenchPage

BUYER = "bench-buyer"
CANTEEN_BUYER = "canteen-prov-buyer"
CANTEEN_FINANCE = "canteen-prov-finance"
VENDOR = "vendor"
CHECKIN = "checkin"


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


@functools.cache
def _buyer():
    """The public buyer: one cart line and one order (bank transfer) of the first product with stock."""
    from django.contrib.auth import get_user_model

    from marketplace.checkout import services
    from marketplace.checkout.cart import Cart
    from marketplace.checkout.models import Order, PaymentMethod
    from marketplace.models import ProductPage

    user = _user(BUYER) or get_user_model().objects.create_user(BUYER, f"{BUYER}@shanhai.example", None)
    product = (
        ProductPage.objects.live()
        .filter(audience__in=["public", "both"], stock__quantity__gte=100, min_order_quantity=1, vendor__isnull=False)
        .order_by("path")
        .first()
    )
    if product is not None and not Order.objects.filter(buyer=user).exists():
        services.place_order(
            buyer=user,
            lines=[services.LineRequest(product.pk, 1)],
            payment_method=PaymentMethod.BANK_TRANSFER,
            address=services.Address("张三", "13800138000", "浙江省", "杭州市", "拱墅区", "湖墅南路 1 号"),
        )
    cart = Cart(user=user)
    if product is not None and not cart.lines:
        cart.add(product, 1)
    return user


@functools.cache
def session_cookie(username):
    """A Cookie header for a new session of `username` (None when the account does not exist)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    user = _buyer() if username == BUYER else _user(username)
    if user is None:
        return None
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return (("Cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}"),)


def as_user(username):
    def headers():
        return session_cookie(username) or ()

    headers.__name__ = f"as_user({username})"
    return headers


def _order_path():
    from marketplace.checkout.models import Order

    order = Order.objects.filter(buyer=_buyer()).order_by("-pk").first()
    return None if order is None else f"/orders/{order.number}/"


def _canteen_unit():
    from marketplace.canteen.models import UnitMember

    member = UnitMember.objects.filter(user__username=CANTEEN_FINANCE).select_related("unit").first()
    return None if member is None else member.unit


def _canteen_dashboard():
    unit = _canteen_unit()
    return None if unit is None else f"/canteen/{unit.pk}/"


def _canteen_statement():
    from django.utils import timezone

    unit = _canteen_unit()
    return None if unit is None else f"/canteen/{unit.pk}/statement/?month={timezone.localdate():%Y-%m}"


def _my_stalls():
    from events.models import FairIndexPage

    index = FairIndexPage.objects.live().order_by("path").first()
    return None if index is None else index.url + "mine/"


def _ticket():
    from events.models import Registration
    from events.registration.tickets import manage_path

    registration = Registration.objects.filter(status="confirmed").order_by("pk").first()
    return None if registration is None else manage_path(registration)


def _checkin():
    from events.models import FairPage

    fair = FairPage.objects.live().filter(checkin_staff__user__username=CHECKIN).order_by("start_date").first()
    return None if fair is None else fair.url + "checkin/"


# Public pages as a signed-in public buyer with a cart line, and as a canteen member (their own copy).
BUYER_SUFFIX = " ·buyer"
CANTEEN_SUFFIX = " ·canteen"
READERS = ((BUYER_SUFFIX, BUYER, "a signed-in public buyer"), (CANTEEN_SUFFIX, CANTEEN_BUYER, "a canteen member"))

# The personal pages: never shared, rendered for each request.
PAGES = [
    BenchPage("cart", "/cart/", "personal: the buyer's cart", headers=as_user(BUYER)),
    BenchPage("checkout", "/checkout/", "personal: the checkout form", headers=as_user(BUYER)),
    BenchPage("account", "/account/", "personal: the account page", headers=as_user(BUYER)),
    BenchPage("order", _order_path, "personal: one order", headers=as_user(BUYER)),
    BenchPage("canteen dashboard", _canteen_dashboard, "personal: the unit's page", headers=as_user(CANTEEN_FINANCE)),
    BenchPage("canteen statement", _canteen_statement, "personal: the month", headers=as_user(CANTEEN_FINANCE)),
    BenchPage("my stalls", _my_stalls, "personal: a vendor's applications", headers=as_user(VENDOR)),
    BenchPage("ticket", _ticket, "personal: a visitor's ticket page (its private link)"),
    BenchPage("check-in", _checkin, "personal: door staff's page", headers=as_user(CHECKIN)),
]
PERSONAL = tuple(page.name for page in PAGES)
