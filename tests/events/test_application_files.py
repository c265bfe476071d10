"""Stall application uploads (食品经营许可证, the food licence) are private (#18 point 1): stored outside MEDIA_ROOT,
handed out only by /private-media/ to the applicant vendor's members and organisers; files stored before were
moved by migration events 0010."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from events.models import StallApplication
from events.stalls import services
from events.stalls.services import ApplicationRequest

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def applied(fair, vendor_user, django_user_model):
    vendor, applicant = vendor_user()
    client = Client()
    client.force_login(applicant)
    response = client.post(
        fair.url + "apply/",
        {
            "vendor": vendor.pk,
            "stall_type": fair.stall_types.first().pk,
            "food_licence": SimpleUploadedFile("许可证.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content[-2000:]
    return StallApplication.objects.get(), vendor, applicant


def roles(applied, vendor_user, django_user_model):
    application, vendor, applicant = applied
    colleague = django_user_model.objects.create_user("colleague", "", "pw")
    from marketplace.services.vendors import grant_vendor_access

    grant_vendor_access(vendor, colleague)
    _other_vendor, other_vendor_user = vendor_user("江山蜂蜜", username="other-vendor")
    organisers = Group.objects.create(name="展会组织方")
    organisers.permissions.add(Permission.objects.get(codename="change_stallapplication"))
    organiser = django_user_model.objects.create_user("organiser", "", "pw")
    organiser.groups.add(organisers)
    return {
        "applicant": (applicant, True),
        "vendor colleague": (colleague, True),
        "organiser": (organiser, True),
        "superuser": (django_user_model.objects.create_superuser("root", "root@example.com", "pw"), True),
        "other vendor": (other_vendor_user, False),
        "buyer": (django_user_model.objects.create_user("13800138000", "", "pw"), False),
        "anonymous": (None, False),
    }


def fetch(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_licence_is_stored_privately(applied):
    application, vendor, applicant = applied
    name = application.food_licence.name
    assert name.startswith("private/fair-applications/") and name.endswith(".pdf")
    assert "许可证" not in name  # an unguessable name, not the uploaded one
    path = Path(default_storage.path(name))
    assert path.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert application.food_licence.url.startswith("/private-media/fair-applications/")
    assert Client().get("/media/" + name).status_code == 404


def test_each_role(applied, vendor_user, django_user_model):
    application, vendor, applicant = applied
    url = application.food_licence.url
    for role, (user, allowed) in roles(applied, vendor_user, django_user_model).items():
        response = fetch(user, url)
        if allowed:
            assert response.status_code == 200, role
            assert body(response) == PDF
            assert "no-store" in response["Cache-Control"]
        elif user is None:
            assert response.status_code == 302 and "/login/" in response["Location"], role
        else:
            assert response.status_code == 404, role


def test_organiser_admin_links_to_the_checked_view(applied, client, django_user_model):
    application, vendor, applicant = applied
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    page = client.get(f"/admin/fairs/{application.fair_id}/")
    assert page.status_code == 200
    assert f'href="{application.food_licence.url}"' in page.content.decode()


def test_existing_public_files_are_moved(fair, vendor_user):
    vendor, applicant = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=applicant, request=ApplicationRequest())
    old = default_storage.save("fair-applications/2026/05/licence.pdf", ContentFile(PDF))
    StallApplication.objects.filter(pk=application.pk).update(food_licence=old)
    assert (Path(settings.MEDIA_ROOT) / old).is_file()

    assert services.make_application_files_private() == 1
    application.refresh_from_db()
    assert application.food_licence.name.startswith("private/fair-applications/")
    assert not default_storage.exists(old) and not (Path(settings.MEDIA_ROOT) / old).exists()
    assert application.food_licence.open("rb").read() == PDF
    assert services.make_application_files_private() == 0  # idempotent
