"""The public « Confidentialité » page, generated from the registry, linked from every page's foot;
no page loads anything from another site; the only cookies are the session, CSRF and language."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from demo.loader import load_demo
from members.models import Member
from members.tests.factories import RepresentativeFactory, UserFactory
from pole import privacy
from pole.models import NetworkIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()


def text(response):
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def test_the_page_names_the_director_by_default_and_how_to_reach_them(client, settings):
    settings.POLE_HOSTING_REGION = "Canada (Montréal)"
    NetworkIdentity.objects.create(
        name="Pôle d’essai", short_name="Pôle", email="info@pole.exemple.org", phone="418 555-0100",
        address="870, avenue de Salaberry\nQuébec (Québec) G1R 2T9",
    )
    page = text(client.get(reverse("privacy")))
    assert "Responsable de la protection des renseignements personnels" in page
    assert "Directeur général" in page and "info@pole.exemple.org" in page and "418 555-0100" in page
    assert "870, avenue de Salaberry" in page
    assert "serveurs situés au Canada (Montréal)" in page


def test_a_named_officer_with_their_own_contact_details_is_published(client):
    NetworkIdentity.objects.create(
        name="Pôle", short_name="Pôle", email="info@pole.exemple.org", privacy_officer_name="Hélène Roy",
        privacy_officer_title="Directrice générale", privacy_officer_email="vie.privee@pole.exemple.org",
    )
    page = text(client.get(reverse("privacy")))
    assert "Hélène Roy</strong>, Directrice générale" in page
    assert "vie.privee@pole.exemple.org" in page and "info@pole.exemple.org" not in page


def test_the_page_lists_every_category_purpose_audience_and_retention_of_the_registry(client):
    page = text(client.get(reverse("privacy")))
    sections = privacy.policy_sections()
    assert len(sections) >= 9
    for section in sections:
        assert str(section.title) in page
        for purpose in section.purposes:
            assert str(purpose)[1:] in page  # capitalised on the page
    assert "Besoins alimentaires et d’accessibilité" in page
    assert "effacés 30 jours après l’activité" in page
    assert "Les besoins alimentaires et d’accessibilité sont effacés 30 jours après l’activité" in page
    assert "Porter plainte à la Commission d’accès à l’information du Québec" in page
    for cookie in ("sessionid", "csrftoken", "django_language"):
        assert f"<code>{cookie}</code>" in page


def test_the_page_reads_in_english_through_the_catalogue(client):
    client.cookies["django_language"] = "en"
    page = text(client.get(reverse("privacy")))
    assert "<h1>Privacy</h1>" in page and "Person in charge of the protection of personal information" in page
    assert "Dietary and accessibility needs" in page


def test_every_page_s_foot_links_the_policy_public_portal_and_admin(client, demo):
    member = Member.objects.filter(directory_consent=True, memberships__isnull=False).order_by("pk").first()
    event = Activity.objects.filter(registration_open=True).order_by("pk").first()
    link = f'href="{reverse("privacy")}"'
    for url in ["/", reverse("members:directory"), reverse("members:directory-detail", args=[member.pk]),
                reverse("activities:calendar"), reverse("activities:detail", args=[event.pk]), reverse("reports:list"),
                reverse("login"), reverse("password_reset"), reverse("privacy"), "/page-qui-n-existe-pas/"]:
        assert link in client.get(url).content.decode(), url
    representative = Client()
    representative.force_login(RepresentativeFactory().user)
    for url in [reverse("members:portal"), reverse("members:profile"), reverse("members:contacts")]:
        assert link in representative.get(url).content.decode(), url
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, groups=["Direction"]))
    for url in [reverse("admin:index"), reverse("admin:members_member_changelist")]:
        assert link in staff.get(url).content.decode(), url
    assert link in Client().get(reverse("admin:login")).content.decode()


LOCAL = re.compile(r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']+)["']""", re.I)


def test_no_page_loads_a_resource_from_another_site(client, demo):
    """Scripts, styles, images, fonts and frames come from the site itself; links out (<a>) are not loads."""
    member = Member.objects.filter(directory_consent=True, memberships__isnull=False).order_by("pk").first()
    event = Activity.objects.filter(registration_open=True).order_by("pk").first()
    for url in ["/", reverse("members:directory"), reverse("members:directory-detail", args=[member.pk]),
                reverse("activities:calendar"), reverse("activities:detail", args=[event.pk]), reverse("reports:list"),
                reverse("reports:annual", args=["2016-2017"]) + "?direct=1", reverse("login"), reverse("privacy")]:
        response = client.get(url)
        if response.status_code != 200:
            continue
        page = response.content.decode()
        without_links = re.sub(r"<a\s[^>]*>", "", page, flags=re.I)
        for target in LOCAL.findall(without_links):
            assert not re.match(r"^(https?:)?//", target) or target.startswith("http://testserver"), (url, target)
        assert "@import" not in page and "url(http" not in page


def test_the_only_cookies_are_the_session_csrf_and_language(client, demo):
    event = Activity.objects.filter(registration_open=True).order_by("pk").first()
    seen = set()
    for response in [
        client.get("/"),
        client.get(reverse("activities:detail", args=[event.pk])),
        client.post(reverse("login"), {"username": "nobody@exemple.org", "password": "x"}),
        client.post(reverse("set_language"), {"language": "en", "next": "/"}),
    ]:
        seen |= set(response.cookies)
    user = RepresentativeFactory().user
    response = client.post(reverse("login"), {"username": user.email, "password": "mot-de-passe-de-test"})
    seen |= set(response.cookies)
    assert seen <= {"sessionid", "csrftoken", "django_language"}
    assert "sessionid" in seen and "csrftoken" in seen
