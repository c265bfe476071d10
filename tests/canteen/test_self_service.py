"""A unit runs itself: budget (finance/approver), members and canteen addresses (approver); units stay apart."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.errors import DomainError
from cms.models import ApiToken
from marketplace.canteen import services
from marketplace.canteen.models import AnnualBudget, CanteenAddress, UnitMember
from marketplace.canteen.services import compute_share
from tests.factories import make_paid_unit_order, make_user

pytestmark = pytest.mark.django_db
D = Decimal
Role = UnitMember.Role


def actions(unit):
    return list(ModelLogEntry.objects.for_instance(unit).order_by("pk").values_list("action", flat=True))


def api(user):
    _token, secret = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def logged_in(client, user):
    client.force_login(user)
    return client


# -- annual budget ---------------------------------------------------------------------------------------


def test_finance_sets_then_approver_edits_the_budget(unit_a, goods):
    budget = services.set_annual_budget(unit_a, 2024, "100000", "0.1", unit_a.users["finance"])
    assert (budget.food_budget, budget.target_share) == (D("100000.00"), D("0.100"))
    services.set_annual_budget(unit_a, 2024, D("80000.50"), D("0.25"), unit_a.users["approver"])
    assert AnnualBudget.objects.filter(unit=unit_a).count() == 1
    budget.refresh_from_db()
    assert (budget.food_budget, budget.target_share) == (D("80000.50"), D("0.250"))
    assert actions(unit_a).count("canteen.budget_set") == 2
    make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 3, 1), [(goods["huyou"], 20)])
    assert compute_share(2024, unit_a).target_amount == D("20000.13")


@pytest.mark.parametrize(
    ("amount", "share", "field"),
    [
        ("0", "0.1", "food_budget"),
        ("-5", "0.1", "food_budget"),
        ("abc", "0.1", "food_budget"),
        ("1000", "1.5", "target_share"),
        ("1000", "-0.1", "target_share"),
    ],
)
def test_budget_values_are_checked(unit_a, amount, share, field):
    with pytest.raises(DomainError) as error:
        services.set_annual_budget(unit_a, 2024, amount, share, unit_a.users["finance"])
    assert (error.value.code, error.value.field) == ("invalid", field)
    assert not AnnualBudget.objects.exists()
    assert "canteen.budget_set" not in actions(unit_a)


def test_only_finance_or_approver_of_the_unit_sets_the_budget(unit_a, unit_b):
    for user in (unit_a.users["buyer"], unit_b.users["finance"], make_user("outsider", email="")):
        with pytest.raises(DomainError) as error:
            services.set_annual_budget(unit_a, 2024, "1000", "0.1", user)
        assert error.value.code == "forbidden"
    assert not AnnualBudget.objects.exists()


def test_budget_page(client, unit_a, unit_b):
    url = reverse("canteen_budget", args=[unit_a.pk])
    year = timezone.localdate().year
    assert logged_in(client, unit_a.users["buyer"]).get(url).status_code == 404
    assert (
        logged_in(client, unit_b.users["finance"])
        .post(url, {"year": year, "food_budget": "1", "target_share": "0.1"})
        .status_code
        == 404
    )
    logged_in(client, unit_a.users["finance"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"year": year, "food_budget": "5000", "target_share": "2"})
    assert refused.status_code == 200 and refused.context["form"].errors["target_share"]
    assert not AnnualBudget.objects.exists()
    saved = client.post(url, {"year": year, "food_budget": "5000", "target_share": "0.150"})
    assert saved.status_code == 302
    assert AnnualBudget.objects.get(unit=unit_a, year=year).target_share == D("0.150")
    dashboard = client.get(reverse("canteen_dashboard", args=[unit_a.pk])).content.decode()
    assert url in dashboard


def test_budget_api(unit_a, unit_b):
    url = f"/api/canteen/units/{unit_a.pk}/budget/"
    body = {"year": 2025, "food_budget": "60000.00", "target_share": "0.120"}
    put = api(unit_a.users["finance"]).put(url, body, "application/json")
    assert put.status_code == 200, put.content
    assert put.json() == {"unit": unit_a.pk, "year": 2025, "food_budget": "60000.00", "target_share": "0.120"}
    post = api(unit_a.users["approver"]).post(url, {**body, "food_budget": "70000"}, "application/json")
    assert post.status_code == 200 and post.json()["food_budget"] == "70000.00"
    assert api(unit_a.users["buyer"]).put(url, body, "application/json").status_code == 403
    assert api(unit_b.users["finance"]).put(url, body, "application/json").status_code == 404
    bad = api(unit_a.users["finance"]).put(url, {**body, "target_share": "1.2"}, "application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert AnnualBudget.objects.get(unit=unit_a, year=2025).food_budget == D("70000.00")


def test_staff_edit_budgets_in_the_admin(admin_client, unit_a):
    assert admin_client.get(reverse("canteen_budgets:index")).status_code == 200
    created = admin_client.post(
        reverse("canteen_budgets:add"),
        {"unit": unit_a.pk, "year": 2026, "food_budget": "90000.00", "target_share": "0.100"},
    )
    assert created.status_code == 302, created.context["form"].errors if created.context else created
    budget = AnnualBudget.objects.get(unit=unit_a, year=2026)
    edited = admin_client.post(
        reverse("canteen_budgets:edit", args=[budget.pk]),
        {"unit": unit_a.pk, "year": 2026, "food_budget": "95000.00", "target_share": "0.200"},
    )
    assert edited.status_code == 302
    budget.refresh_from_db()
    assert (budget.food_budget, budget.target_share) == (D("95000.00"), D("0.200"))


# -- members ---------------------------------------------------------------------------------------------


def test_approver_adds_existing_accounts_by_email_or_phone(unit_a):
    approver = unit_a.users["approver"]
    cook = make_user("cook", email="Cook@Example.com")
    phone_user = make_user("13812345678", email="")
    services.add_member(unit_a, user=approver, identifier="cook@example.com", role=Role.BUYER)
    services.add_member(unit_a, user=approver, identifier="138 1234 5678", role=Role.FINANCE)
    assert UnitMember.objects.filter(unit=unit_a, user=cook, role=Role.BUYER).exists()
    assert UnitMember.objects.filter(unit=unit_a, user=phone_user, role=Role.FINANCE).exists()
    assert actions(unit_a).count("canteen.member_added") == 2
    with pytest.raises(DomainError) as duplicate:
        services.add_member(unit_a, user=approver, identifier="cook@example.com", role=Role.BUYER)
    assert duplicate.value.code == "invalid_state"
    with pytest.raises(DomainError) as unknown:
        services.add_member(unit_a, user=approver, identifier="nobody@example.com", role=Role.BUYER)
    assert unknown.value.code == "not_found"
    with pytest.raises(DomainError) as bad_role:
        services.add_member(unit_a, user=approver, identifier="cook@example.com", role="admin")
    assert bad_role.value.code == "invalid"


def test_only_approvers_of_the_unit_manage_members(unit_a, unit_b):
    make_user("cook", email="cook@example.com")
    for user in (unit_a.users["buyer"], unit_a.users["finance"], unit_b.users["approver"]):
        with pytest.raises(DomainError) as error:
            services.add_member(unit_a, user=user, identifier="cook@example.com", role=Role.APPROVER)
        assert error.value.code == "forbidden"
        with pytest.raises(DomainError):
            services.remove_member(unit_a.members.get(role=Role.BUYER), user=user)
    assert unit_a.members.count() == 3


def test_the_last_approver_stays(unit_a):
    approver = unit_a.users["approver"]
    own = unit_a.members.get(role=Role.APPROVER)
    with pytest.raises(DomainError) as error:
        services.remove_member(own, user=approver)
    assert error.value.code == "invalid_state"
    second = services.add_member(unit_a, user=approver, identifier=unit_a.users["buyer"].email, role=Role.APPROVER)
    services.remove_member(unit_a.members.get(role=Role.FINANCE), user=approver)
    services.remove_member(own, user=approver)
    assert list(unit_a.members.filter(role=Role.APPROVER)) == [second]
    assert actions(unit_a).count("canteen.member_removed") == 2


def test_members_page(client, unit_a, unit_b):
    url = reverse("canteen_members", args=[unit_a.pk])
    assert logged_in(client, unit_a.users["buyer"]).get(url).status_code == 404
    logged_in(client, unit_b.users["approver"])
    assert client.get(url).status_code == 404
    b_member = unit_b.members.get(role=Role.BUYER)
    # Unit B's approver cannot remove through unit A's page, and unit A's approver not B's member through A's.
    assert (
        client.post(reverse("canteen_member_remove", args=[unit_a.pk, unit_a.members.get(role="buyer").pk])).status_code
        == 404
    )
    logged_in(client, unit_a.users["approver"])
    assert client.post(reverse("canteen_member_remove", args=[unit_a.pk, b_member.pk])).status_code == 404
    assert UnitMember.objects.filter(pk=b_member.pk).exists()
    make_user("cook", email="cook@example.com")
    page = client.get(url)
    assert page.status_code == 200 and "a-buyer" in page.content.decode()
    unknown = client.post(url, {"identifier": "ghost@example.com", "role": "buyer"})
    assert unknown.status_code == 200 and unknown.context["form"].errors["identifier"]
    assert client.post(url, {"identifier": "cook@example.com", "role": "buyer"}).status_code == 302
    added = unit_a.members.get(user__username="cook")
    assert client.post(reverse("canteen_member_remove", args=[unit_a.pk, added.pk])).status_code == 302
    assert not unit_a.members.filter(user__username="cook").exists()


# -- canteen addresses -----------------------------------------------------------------------------------

ADDRESS = {
    "name": "二食堂",
    "recipient": "张师傅",
    "phone": "13900000001",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "street": "文三路2号",
}


def test_approver_manages_canteen_addresses(unit_a):
    approver = unit_a.users["approver"]
    first = unit_a.addresses.get()
    added = services.add_address(unit_a, user=approver, data=ADDRESS)
    assert added.unit == unit_a and added.name == "二食堂"
    with pytest.raises(DomainError) as invalid:
        services.add_address(unit_a, user=approver, data={**ADDRESS, "street": ""})
    assert (invalid.value.code, invalid.value.field) == ("invalid", "street")
    with pytest.raises(DomainError) as elsewhere:
        services.add_address(unit_a, user=approver, data={**ADDRESS, "district": "柯城区"})
    assert (elsewhere.value.code, elsewhere.value.field) == ("invalid_address", "district")
    services.update_address(added, user=approver, data={**ADDRESS, "name": "新二食堂"})
    added.refresh_from_db()
    assert added.name == "新二食堂"
    services.delete_address(first, user=approver)
    with pytest.raises(DomainError) as last:
        services.delete_address(added, user=approver)
    assert last.value.code == "invalid_state"
    assert list(unit_a.addresses.all()) == [added]
    assert [a for a in actions(unit_a) if a.startswith("canteen.address")] == [
        "canteen.address_added",
        "canteen.address_changed",
        "canteen.address_deleted",
    ]


def test_addresses_of_another_unit_are_out_of_reach(client, unit_a, unit_b):
    b_address = unit_b.addresses.get()
    for user in (unit_a.users["approver"], unit_b.users["buyer"]):
        with pytest.raises(DomainError) as error:
            services.update_address(b_address, user=user, data={"name": "x"})
        assert error.value.code == "forbidden"
        with pytest.raises(DomainError):
            services.add_address(unit_b, user=user, data=ADDRESS)
    logged_in(client, unit_a.users["approver"])
    assert client.get(reverse("canteen_address_edit", args=[unit_a.pk, b_address.pk])).status_code == 404
    assert client.post(reverse("canteen_address_edit", args=[unit_a.pk, b_address.pk]), ADDRESS).status_code == 404
    assert client.post(reverse("canteen_address_delete", args=[unit_a.pk, b_address.pk])).status_code == 404
    assert client.post(reverse("canteen_addresses", args=[unit_b.pk]), ADDRESS).status_code == 404
    b_address.refresh_from_db()
    assert b_address.name == "一食堂"
    assert unit_b.addresses.count() == 1


def test_address_pages(client, unit_a):
    logged_in(client, unit_a.users["approver"])
    url = reverse("canteen_addresses", args=[unit_a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, ADDRESS).status_code == 302
    added = unit_a.addresses.get(name="二食堂")
    edit = reverse("canteen_address_edit", args=[unit_a.pk, added.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**ADDRESS, "street": "文三路8号"}).status_code == 302
    added.refresh_from_db()
    assert added.street == "文三路8号"
    assert client.post(reverse("canteen_address_delete", args=[unit_a.pk, added.pk])).status_code == 302
    assert not CanteenAddress.objects.filter(pk=added.pk).exists()
    assert logged_in(client, unit_a.users["buyer"]).get(url).status_code == 404
