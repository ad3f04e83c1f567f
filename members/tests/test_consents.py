"""Consents: separate, specific, off by default and recorded (who, when, purpose, wording, how, withdrawn when)."""

import pytest
from django.urls import reverse

from members.models import BoardMandate, Member, StaffMember
from members.tests.factories import BoardMandateFactory, ContactFactory, MemberFactory, RepresentativeFactory
from members.tests.test_invitations import PASSWORD, accept_url, invite
from members.tests.test_portal_views import profile_data
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord

pytestmark = pytest.mark.django_db


def test_new_members_and_photos_start_without_consent():
    assert Member._meta.get_field("directory_consent").default is False
    assert BoardMandate._meta.get_field("photo_consent").default is False
    assert StaffMember._meta.get_field("photo_consent").default is False
    assert Member.objects.create(name="Coop nouvelle").directory_consent is False


@pytest.fixture
def representative():
    member = MemberFactory(name="Coop Alpha", fiscal_years=[FiscalYear.current()])
    return RepresentativeFactory(member=member, first_name="Annie", last_name="Alpha", email="annie@alpha.coop")


def test_the_profile_shows_both_consents_off_and_a_notice(client, representative):
    client.force_login(representative.user)
    response = client.get(reverse("members:profile"))
    form = response.context["form"]
    assert form["directory_consent"].value() is False and form["news_consent"].value() is False
    html = response.content.decode()
    assert "pour joindre votre organisation et préparer son rapport annuel" in html
    assert f'href="{reverse("privacy")}"' in html


def test_each_consent_given_or_withdrawn_in_the_portal_is_recorded_apart(client, representative):
    client.force_login(representative.user)
    client.post(reverse("members:profile"), profile_data())  # the directory only
    (listing,) = ConsentRecord.objects.all()
    assert (listing.purpose, listing.email, listing.name, listing.subject, listing.given_how) == (
        "directory", "annie@alpha.coop", "Annie Alpha", "Coop Alpha", "portal"
    )
    assert listing.wording.startswith("inscrit au répertoire public")
    assert listing.withdrawn_at is None

    client.post(reverse("members:profile"), profile_data(news_consent="on"))  # now the news too
    news = ConsentRecord.objects.get(purpose="news")
    assert news.given_how == "portal" and news.wording.startswith("J’accepte de recevoir l’infolettre")
    assert client.get(reverse("members:profile")).context["form"]["news_consent"].value() is True

    data = profile_data(news_consent="on")
    del data["directory_consent"]
    client.post(reverse("members:profile"), data)  # the listing withdrawn, the news kept
    listing.refresh_from_db()
    news.refresh_from_db()
    assert listing.withdrawn_at is not None and listing.withdrawn_how == "portal"
    assert news.withdrawn_at is None


def test_the_contact_form_says_why_and_how_long(client, representative):
    client.force_login(representative.user)
    html = client.get(reverse("members:contact-add")).content.decode()
    assert "anonymisés 3\u00a0ans après sa dernière adhésion" in html


def test_accepting_an_invitation_records_the_news_consent_only_when_ticked(client):
    quiet = ContactFactory(member=MemberFactory(), first_name="Paul", email="paul@gamma.coop")
    keen = ContactFactory(member=MemberFactory(), first_name="Gisèle", email="gisele@gamma.coop")
    page = client.get(accept_url(invite(quiet)))
    assert "Votre adresse courriel est votre identifiant" in page.content.decode()
    assert 'name="news_consent"' in page.content.decode()
    client.post(accept_url(invite(quiet)), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.post(accept_url(invite(keen)), {"new_password1": PASSWORD, "new_password2": PASSWORD, "news_consent": "on"})
    (consent,) = ConsentRecord.objects.all()
    assert (consent.email, consent.purpose, consent.given_how) == ("gisele@gamma.coop", "news", "invitation")


def test_a_photo_prints_in_the_report_only_with_consent_and_staff_s_tick_is_recorded(direction_client, tmp_path):
    from django.core.files.base import ContentFile

    from reports.report import build_report_context
    from reports.tests.factories import _picture

    mandate = BoardMandateFactory(name="Hélène Lavoie")
    mandate.photo.save("portrait.jpg", ContentFile(_picture((300, 300), "#3d6b7a", "JPEG")), save=True)

    def board_photo():
        (person,) = [p for p in build_report_context("2016-2017")["board"] if p["name"] == "Hélène Lavoie"]
        return person["photo"]

    assert board_photo() == ""
    url = reverse("admin:members_boardmandate_change", args=[mandate.pk])
    form = direction_client.get(url).context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields if name != "photo"}
    data.update(photo_consent="on", start_date="2015-06-10", end_date="")
    response = direction_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert board_photo().endswith(".jpg")
    (consent,) = ConsentRecord.objects.all()
    assert (consent.purpose, consent.name, consent.given_how) == ("photo", "Hélène Lavoie", "staff")
    assert consent.recorded_by is not None
