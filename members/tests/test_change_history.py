import io

import pytest
from django.urls import reverse
from PIL import Image

from members.models import Member
from members.tests.factories import ContactFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_saving_unchanged_adds_no_history():
    member = MemberFactory(description="Avant")
    assert member.history.count() == 1

    member.save()
    Member.objects.get(pk=member.pk).save()
    assert member.history.count() == 1

    member.description = "Après"
    member.save()
    assert [h.description for h in member.history.all()] == ["Après", "Avant"]
    assert member.history.first().history_type == "~"


def test_contact_history_ignores_the_account_link():
    contact = ContactFactory()
    contact.user = None
    contact.save()
    assert contact.history.count() == 1
    contact.phone = "418 555-0000"
    contact.save()
    assert contact.history.count() == 2


def _upload(name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def _member_form_data(member):
    return {
        "name": member.name,
        "legal_form": member.legal_form,
        "category": member.category,
        "founding_year": member.founding_year,
        "sector": member.sector_id or "",
        "territory": member.territory_id,
        "setting": member.setting,
        "address": "",
        "phone": "",
        "email": "",
        "website": "",
        "description": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "contacts-TOTAL_FORMS": 0,
        "contacts-INITIAL_FORMS": 0,
    }


def test_admin_uploads_go_through_the_same_checks(personnel_client, media_root):
    """Staff uploads are checked and re-encoded as the portal's are: an SVG is refused."""
    member = MemberFactory()
    url = reverse("admin:members_member_change", args=[member.pk])
    data = _member_form_data(member)
    data["logo"] = _upload("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    response = personnel_client.post(url, data)
    assert response.status_code == 200
    assert "n’est pas une image PNG, JPEG ou WebP" in response.content.decode()
    member.refresh_from_db()
    assert not member.logo

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(png, "PNG")
    data["logo"] = _upload("mon logo.png", png.getvalue(), "image/png")
    response = personnel_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.logo.name.startswith("members/logos/") and "mon" not in member.logo.name
    with Image.open(member.logo.path) as stored:
        assert stored.format == "PNG" and stored.size == (40, 20)
