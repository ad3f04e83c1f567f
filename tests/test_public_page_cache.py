"""Public pages served from the cache to anonymous visitors, never stale after a save (pole/page_cache.py).

Each public page: a first visit renders it (« miss »), the next is served from the cache
(« hit »), then the data changes through the admin, the portal or a service, and the very next
visit shows it.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from activities import registrations
from activities.models import Activity
from activities.tests.factories import EventFactory
from members.models import Member
from members.tests.factories import MemberFactory, RepresentativeFactory
from pole.fiscal_years import FiscalYear
from pole.page_cache import HEADER
from pole.tests.admin_helpers import save_change_page
from reports.services import unpublish_report
from reports.tests.factories import AnnualReportFactory, ReportVersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def cached_twice(url):
    """Visit ``url`` as two anonymous visitors: the first renders and keeps it, the second gets it from the cache."""
    first, second = visit(Client(), url), visit(Client(), url)
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    # The same page, but for the CSRF token of its forms (each visitor gets their own).
    assert without_tokens(second) == without_tokens(first)
    return second


def without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def listed_member(**kwargs):
    current = FiscalYear.current()
    return MemberFactory(directory_consent=True, fiscal_years=[current.label], **kwargs)


def test_home_shows_an_event_renamed_in_the_admin_at_once(personnel_client):
    event = EventFactory(title="Atelier de printemps")
    assert "Atelier de printemps" in cached_twice("/").content.decode()
    assert (
        save_change_page(personnel_client, Activity, event, changes={"title": "Atelier d’automne"}).status_code == 302
    )
    page = visit(Client(), "/")
    assert page[HEADER] == "miss" and "Atelier d’automne" in page.content.decode()


def test_directory_and_member_page_show_a_name_changed_in_the_admin_at_once(personnel_client):
    member = listed_member(name="Coopérative du Vieux-Port")
    detail = reverse("members:directory-detail", args=[member.pk])
    assert "Coopérative du Vieux-Port" in cached_twice("/membres/").content.decode()
    assert "Coopérative du Vieux-Port" in cached_twice(detail).content.decode()
    response = save_change_page(personnel_client, Member, member, changes={"name": "Coopérative du Port"})
    assert response.status_code == 302
    for url in ("/membres/", detail, "/membres/?q=port"):
        assert "Coopérative du Port" in visit(Client(), url).content.decode()


def test_member_page_shows_a_description_saved_in_the_portal_at_once(client):
    member = listed_member(description="Ancienne description.")
    representative = RepresentativeFactory(member=member)
    detail = reverse("members:directory-detail", args=[member.pk])
    assert "Ancienne description." in cached_twice(detail).content.decode()
    portal = Client()
    portal.force_login(representative.user)
    form = portal.get(reverse("members:profile")).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "logo"}
    data.update(description="Nouvelle description du portail.", directory_consent="on", sector=member.sector_id)
    assert portal.post(reverse("members:profile"), data).status_code == 302
    assert "Nouvelle description du portail." in visit(Client(), detail).content.decode()


def test_calendar_shows_a_new_event_at_once():
    EventFactory(title="Premier atelier")
    assert "Premier atelier" in cached_twice("/activites/").content.decode()
    EventFactory(title="Second atelier")  # an insert, as the admin's « Ajouter » makes
    assert "Second atelier" in visit(Client(), "/activites/").content.decode()


def seats_text(response):
    return re.search(r'id="seats">([^<]*)<', response.content.decode())[1]


def test_event_page_counts_a_registration_at_once_and_each_visitor_posts_with_a_token_of_their_own():
    event = EventFactory(capacity=20)
    url = reverse("activities:detail", args=[event.pk])
    assert "20" in seats_text(cached_twice(url))

    # Two visitors get the cached page, each with a CSRF token of their own that the form accepts.
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [visit(first, url), visit(second, url)]
    assert [page[HEADER] for page in pages] == ["hit", "hit"]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', p.content.decode())[1] for p in pages]
    assert tokens[0] != tokens[1] and all(len(token) == 64 for token in tokens)
    response = second.post(
        url,
        {
            "csrfmiddlewaretoken": tokens[1],
            "name": "Marie Tremblay",
            "email": "marie@exemple.org",
            "organisation": "Coop",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "19" in seats_text(visit(Client(), url))

    registrations.register(activity=event, name="Jean Roy", email="jean@exemple.org", organisation="Coop")
    assert "18" in seats_text(visit(Client(), url))


def test_a_logged_in_representative_gets_the_page_made_for_them():
    event = EventFactory()
    url = reverse("activities:detail", args=[event.pk])
    cached_twice(url)
    representative = RepresentativeFactory(first_name="Lucie", last_name="Gagnon")
    client = Client()
    client.force_login(representative.user)
    page = visit(client, url)
    assert page[HEADER] == "bypass"
    assert 'value="Lucie Gagnon"' in page.content.decode()


def test_report_list_and_published_report_follow_publishing_at_once():
    version = ReportVersionFactory(
        report=AnnualReportFactory(fiscal_year=FiscalYear(2016), is_published=True),
        html=ContentFile(b"<!DOCTYPE html><title>Version 1</title>", name="v1.html"),
    )
    page_url = reverse("reports:annual", args=["2016-2017"])
    assert "2016-2017" in cached_twice("/rapports/").content.decode()
    assert b"Version 1" in cached_twice(page_url).content

    ReportVersionFactory(
        report=version.report, number=2, html=ContentFile(b"<!DOCTYPE html><title>Version 2</title>", name="v2.html")
    )
    assert b"Version 2" in visit(Client(), page_url).content

    unpublish_report(report=version.report)
    assert "2016-2017" not in visit(Client(), "/rapports/").content.decode()
    assert Client().get(page_url).status_code == 404


def test_bulk_inserts_and_updates_retire_the_pages_too():
    """Imports write with bulk_create and update(): no signal is sent, the pages still follow."""
    member = listed_member(name="Coopérative Alpha")
    cached_twice("/membres/")
    Member.objects.filter(pk=member.pk).update(name="Coopérative Bêta")
    assert "Coopérative Bêta" in visit(Client(), "/membres/").content.decode()
    current = FiscalYear.current()
    Member.objects.bulk_create([Member(name="Coopérative Gamma", directory_consent=True)])
    from members.models import Membership

    Membership.objects.bulk_create(
        [Membership(member=Member.objects.get(name="Coopérative Gamma"), fiscal_year=current)]
    )
    assert "Coopérative Gamma" in visit(Client(), "/membres/").content.decode()


def test_writes_no_public_page_shows_keep_the_pages(client):
    listed_member()
    cached_twice("/membres/")
    Session.objects.create(session_key="x" * 32, session_data="", expire_date="2099-01-01T00:00:00Z")
    assert visit(Client(), "/membres/")[HEADER] == "hit"


def test_the_pages_turn_with_the_date(fixed_today):
    import datetime

    EventFactory(title="Atelier du lendemain")
    cached_twice("/activites/")
    fixed_today(datetime.date.today() + datetime.timedelta(days=1))
    assert visit(Client(), "/activites/")[HEADER] == "miss"
