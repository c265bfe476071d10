"""load_demo's canteen units: members in each role, a year of orders, a share that shows something; idempotent."""

import pytest
from django.utils import timezone

from marketplace.canteen.models import BuyerUnit, UnitMember
from marketplace.canteen.services import compute_share
from marketplace.checkout.models import Order
from tests.support.demo import demo_database, run_load_demo

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (tests/support/demo.py: loaded once per run on SQLite)."""
    with demo_database(django_db_blocker, tmp_path_factory.mktemp("canteen-demo-media")) as demo:
        yield demo


def test_demo_units_and_share(demo_loaded_once):
    output = demo_loaded_once.output
    assert "Canteen logins" in output
    units = list(BuyerUnit.objects.order_by("name"))
    assert len(units) == 2 and all(u.is_verified for u in units)
    for unit in units:
        assert set(UnitMember.objects.filter(unit=unit).values_list("role", flat=True)) == {
            "buyer",
            "approver",
            "finance",
        }
        assert Order.objects.filter(buyer_unit=unit).count() >= 12
        share = compute_share(timezone.localdate().year, unit)
        assert share.spend > 0 and share.mountain > 0 and share.progress is not None
    orders = Order.objects.count()
    run_load_demo()
    assert Order.objects.count() == orders
    assert BuyerUnit.objects.count() == 2
