"""The public site as a visitor and a search engine meet it: one title, a description, robots.txt,
compressed pages (never one carrying a secret), the report's fonts served by the app, the
published report inside the site's frame."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from demo.loader import load_demo
from members.models import Member
from members.roles import DIRECTION
from members.tests.factories import RepresentativeFactory, UserFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport
from reports.services import publish_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()


def public_urls():
    member = Member.objects.filter(directory_consent=True, memberships__isnull=False).order_by("pk").first()
    event = Activity.objects.filter(registration_open=True).order_by("pk").first()
    return [
        "/",
        reverse("members:directory"),
        reverse("members:directory-detail", args=[member.pk]),
        reverse("activities:calendar"),
        reverse("activities:detail", args=[event.pk]),
        reverse("reports:list"),
        reverse("login"),
        reverse("password_reset"),
    ]


def head_of(page):
    return page.split("</head>", 1)[0]


def test_every_public_page_has_one_title_naming_the_network_once_and_a_description(client, demo):
    short_name = django_settings.POLE_NETWORK_SHORT_NAME
    for url in public_urls():
        head = head_of(client.get(url).content.decode())
        titles = re.findall(r"<title>(.*?)</title>", head, re.S)
        assert len(titles) == 1, url
        title = titles[0].strip()
        assert title.count(short_name) == 1, (url, title)
        if url != "/":
            assert title.endswith(f" — {short_name}"), (url, title)
        descriptions = re.findall(r'<meta name="description" content="([^"]*)">', head)
        assert len(descriptions) == 1 and len(descriptions[0]) > 40, (url, descriptions)
    # The report list used to say the name twice: « Rapports annuels — Pôle — Pôle ».
    assert "<title>Rapports annuels — Pôle</title>" in client.get(reverse("reports:list")).content.decode()


def test_the_home_page_title_is_the_network_s_full_name_alone(client, demo):
    head = head_of(client.get("/").content.decode())
    assert re.search(
        r"<title>Pôle des entreprises d(’|&#x27;|')économie sociale de la région de la Capitale-Nationale</title>", head
    )


def test_robots_txt_keeps_search_engines_to_the_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    rules = response.content.decode().splitlines()
    assert rules[0] == "User-agent: *"
    disallowed = [line.removeprefix("Disallow: ") for line in rules[1:]]
    for private in [
        "/admin/",
        "/membre/",
        "/membre/factures/",
        "/connexion/",
        "/mot-de-passe/oublie/",
        "/invitation/abc/",
        "/activites/annulation/abc/",
    ]:
        assert any(private.startswith(prefix) for prefix in disallowed), private
    for public in [
        "/",
        "/membres/",
        "/membres/12/",
        "/activites/",
        "/activites/3/",
        "/rapports/",
        "/rapports/2016-2017/",
        "/rapports/2016-2017.pdf",
    ]:
        assert not any(public.startswith(prefix) for prefix in disallowed), public


# --- compression ---------------------------------------------------------------------------


def test_a_visitor_s_pages_are_compressed(client, demo):
    plain = client.get("/").content
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(plain) / 3
    # The same page, bar the CSRF token masked anew in every response.
    unmasked = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert unmasked.sub(b"", gzip.decompress(response.content)) == unmasked.sub(b"", plain)
    for url in [
        reverse("members:directory"),
        reverse("activities:calendar"),
        reverse("activities:feed"),
        "/robots.txt",
    ]:
        assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip", url


def test_pages_that_carry_a_secret_are_never_compressed(client, demo):
    """BREACH: no compression for a logged-in person's pages, nor for never_cache pages."""
    representative = RepresentativeFactory()
    member_client = Client()
    member_client.force_login(representative.user)
    for url in ["/", reverse("members:portal"), reverse("members:directory") + "?q=abc"]:
        response = member_client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200 and not response.has_header("Content-Encoding"), url
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, groups=[DIRECTION]))
    response = staff.get(reverse("admin:index"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    # The login form (never_cache: private, no-store) and an invitation link, for anyone.
    for url in [reverse("login"), reverse("members:accept-invitation", args=["unknown-token"])]:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert "no-store" in response["Cache-Control"] and not response.has_header("Content-Encoding"), url


def test_files_that_are_compressed_already_are_left_alone(client, demo):
    report = AnnualReport.objects.get(fiscal_year=FiscalYear(2016))
    publish_report(report=report)
    response = client.get(reverse("reports:annual-pdf", args=["2016-2017"]), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    # The archived page is text: 260 kB that compress well, and still the same bytes once inflated.
    archived = client.get(reverse("reports:annual-html", args=["2016-2017"]), HTTP_ACCEPT_ENCODING="gzip")
    assert archived["Content-Encoding"] == "gzip"
    version = report.versions.get()
    with version.html.open("rb") as file:
        assert gzip.decompress(archived.content) == file.read()


# --- the report's fonts on the site --------------------------------------------------------


def test_the_site_sets_its_text_in_the_report_s_families_served_by_the_app(client):
    css_path = Path(finders.find("css/site.css"))
    css = css_path.read_text()
    assert "http://" not in css and "https://" not in css and "//" not in css.replace("/*", "").replace("*/", "")
    faces = re.findall(
        r'@font-face \{ font-family: "(Source Sans|Source Serif)"; src: url\("\.\./(fonts/[^"]+)"\)', css
    )
    assert {family for family, _url in faces} == {"Source Sans", "Source Serif"}
    for _family, url in faces:
        assert finders.find(url), url  # from the font packages (settings.STATICFILES_DIRS)
    assert '--bs-body-font-family: "Source Sans"' in css
    page = client.get(reverse("reports:list")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
    assert "fonts.googleapis" not in page and "cdn" not in page.lower()


# --- the published report in the site's frame ---------------------------------------------


def test_the_published_report_shows_inside_the_site_with_its_menu_and_downloads(client, demo):
    report = AnnualReport.objects.get(fiscal_year=FiscalYear(2016))
    version = publish_report(report=report)
    page = client.get(reverse("reports:annual", args=["2016-2017"])).content.decode()
    assert 'class="navbar' in page and 'href="/membres/"' in page  # the site's menu
    assert 'href="/rapports/"' in page  # the way back
    assert 'href="/rapports/2016-2017.pdf"' in page and 'href="/rapports/2016-2017.html"' in page
    assert '<iframe class="report-frame" src="/rapports/2016-2017.html"' in page
    assert "Version 1, publiée le" in page and f"{version.page_count}\xa0pages" in page
    assert "<title>Rapport annuel 2016-2017 — Pôle</title>" in page
    assert '<script src="/static/js/report-frame.js"></script>' in page
