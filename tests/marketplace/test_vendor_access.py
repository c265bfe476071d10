"""Vendor users in the Wagtail admin: each vendor sees and edits only its own pages, through moderation."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.http import HttpRequest
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupPagePermission, WorkflowState

from marketplace.models import ProductPage, ProductStock, VendorMember, VendorPage
from marketplace.services.vendors import grant_vendor_access, vendor_collection, vendor_group
from tests.factories import PASSWORD, make_image, make_vendor_user, moderator
from tests.support.forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_vendors(make_vendor, make_product, changshan, kecheng):
    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城橘子农场", kecheng)
    return {
        "a": a,
        "b": b,
        "a_product": make_product(a, "常山胡柚", "39.00", stock=50),
        "b_product": make_product(b, "柯城椪柑", "25.00", stock=80),
        "a_user": make_vendor_user(a, "vendor-a"),
        "b_user": make_vendor_user(b, "vendor-b"),
    }


@pytest.fixture
def client_a(client, two_vendors):
    client.force_login(two_vendors["a_user"])
    return client


def test_grant_vendor_access_is_idempotent_and_limited(two_vendors):
    a, user = two_vendors["a"], two_vendors["a_user"]
    grant_vendor_access(a, user)
    grant_vendor_access(a, user)

    group = vendor_group(a)
    assert group.name == f"商家 #{a.pk}：{a.title}"
    assert Group.objects.filter(name__startswith=f"商家 #{a.pk}：").count() == 1
    assert list(user.groups.all()) == [group]
    assert VendorMember.objects.filter(vendor=a, user=user).count() == 1
    codenames = set(GroupPagePermission.objects.filter(group=group).values_list("permission__codename", flat=True))
    assert codenames == {"add_page", "change_page", "lock_page", "unlock_page"}
    assert set(GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True)) == {a.pk}
    assert user.has_perm("wagtailadmin.access_admin")
    assert not user.is_staff
    collection = vendor_collection(a)
    assert collection.get_parent() == Collection.get_first_root_node()
    assert Collection.objects.filter(name__startswith=f"商家 #{a.pk}：").count() == 1
    assert a.get_workflow() is not None


def test_vendor_edits_own_page_but_not_the_other_vendors(client_a, two_vendors):
    a, b, b_product = two_vendors["a"], two_vendors["b"], two_vendors["b_product"]
    own = client_a.get(f"/admin/pages/{a.pk}/edit/")
    assert own.status_code == 200
    html = own.content.decode()
    assert 'name="action-submit"' in html  # "Submit to Moderators approval" (translated in the admin)
    assert 'name="action-publish"' not in html
    assert client_a.get(f"/admin/pages/{two_vendors['a_product'].pk}/edit/").status_code == 200

    before = (b.latest_revision_id, b_product.latest_revision_id, ProductPage.objects.count())
    for url in (
        f"/admin/pages/{b.pk}/edit/",
        f"/admin/pages/{b.pk}/add_subpage/",
        f"/admin/pages/add/marketplace/productpage/{b.pk}/",
        f"/admin/pages/{b_product.pk}/edit/",
        f"/admin/pages/{b_product.pk}/delete/",
    ):
        response = client_a.get(url)
        # Wagtail answers a page it refuses with a redirect to the dashboard and a permission message.
        assert response.status_code == 302, url
        assert response.url == "/admin/", url
        follow = client_a.get(response.url)
        assert [m.level_tag for m in follow.context["messages"]] == ["error"], url

    assert client_a.post(f"/admin/pages/{b_product.pk}/delete/").status_code == 302
    assert client_a.post(f"/admin/pages/{b_product.pk}/edit/", {"title": "hijacked"}).status_code == 302
    b.refresh_from_db()
    b_product.refresh_from_db()
    assert ProductPage.objects.filter(pk=b_product.pk).exists()
    assert b_product.title == "柯城椪柑"
    assert (b.latest_revision_id, b_product.latest_revision_id, ProductPage.objects.count()) == before


def test_vendor_cannot_change_other_vendors_stock(client_a, two_vendors):
    b_product = two_vendors["b_product"]
    response = client_a.post("/admin/marketplace/stock/", {"product": b_product.pk, "quantity": "1"})
    assert response.status_code == 404
    assert ProductStock.objects.get(product=b_product).quantity == 80


def test_explorer_and_search_show_only_own_pages(client_a, two_vendors):
    a, b = two_vendors["a"], two_vendors["b"]
    market = a.get_parent()
    # The vendor's explorer starts at its own page: the market above it redirects there.
    for url in ("/admin/pages/", f"/admin/pages/{market.pk}/"):
        response = client_a.get(url)
        assert response.status_code == 302
        assert response.url == f"/admin/pages/{a.pk}/"
    listing = client_a.get(f"/admin/pages/{a.pk}/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "常山胡柚" in html
    assert b.title not in html
    assert "柯城椪柑" not in html

    assert client_a.get(f"/admin/pages/{b.pk}/").status_code == 302

    a_product, b_product = two_vendors["a_product"], two_vendors["b_product"]
    own = client_a.get("/admin/pages/search/", {"q": "常山胡柚"}).content.decode()
    assert f"/admin/pages/{a_product.pk}/edit/" in own
    for query in ("柑", "柯城", "柯城椪柑", "柯城橘子农场"):
        found = client_a.get("/admin/pages/search/", {"q": query})
        assert found.status_code == 200
        html = found.content.decode()
        assert f"/admin/pages/{b_product.pk}/" not in html
        assert f"/admin/pages/{b.pk}/" not in html


def test_image_chooser_shows_only_own_collection(client, two_vendors):
    image_model = get_image_model()
    own = make_image("a-logo")
    own.collection = vendor_collection(two_vendors["a"])
    own.save()
    other = make_image("b-logo")
    other.collection = vendor_collection(two_vendors["b"])
    other.save()
    shared = make_image("root-image")  # root collection: staff's images

    client.force_login(two_vendors["a_user"])
    chooser = client.get("/admin/images/chooser/")
    assert chooser.status_code == 200
    html = chooser.content.decode()
    assert "a-logo" in html
    assert "b-logo" not in html
    assert "root-image" not in html
    assert client.get(f"/admin/images/{other.pk}/").status_code in (302, 403)
    assert image_model.objects.get(pk=shared.pk).collection.is_root()


def test_price_change_waits_for_moderation(client, two_vendors):
    product = two_vendors["a_product"]
    edit_url = f"/admin/pages/{product.pk}/edit/"
    client.force_login(two_vendors["a_user"])
    page = client.get(edit_url)
    assert 'name="action-publish"' not in page.content.decode()
    data = form_data(page.content.decode())
    assert data["unit_price"] == ["39.00"]
    data["unit_price"] = ["45.00"]
    data["action-submit"] = ["Submit to Moderators approval"]

    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    product.refresh_from_db()
    assert product.unit_price == Decimal("39.00")  # the live page keeps the old price
    assert product.get_latest_revision_as_object().unit_price == Decimal("45.00")
    state = product.current_workflow_state
    assert state is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    # A vendor cannot publish by posting the publish action either.
    data.pop("action-submit")
    data["action-publish"] = ["publish"]
    client.post(edit_url, data)
    product.refresh_from_db()
    assert product.unit_price == Decimal("39.00")

    # A moderator approves through the admin's workflow action URL; the new price goes live.
    client.force_login(moderator())
    task_state = product.current_workflow_state.current_task_state
    approve_url = f"/admin/pages/workflow/action/{product.pk}/approve/{task_state.pk}/"
    approved = client.post(approve_url, {"comment": ""})
    assert approved.status_code in (200, 302)
    product.refresh_from_db()
    assert product.unit_price == Decimal("45.00")
    assert product.current_workflow_state is None


def test_vendor_can_log_in_to_admin(client, two_vendors):
    assert client.login(request=HttpRequest(), username="vendor-a", password=PASSWORD)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert VendorPage.objects.get(pk=two_vendors["a"].pk).title in home.content.decode()
