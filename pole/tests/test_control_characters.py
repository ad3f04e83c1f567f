"""Invisible control characters: refused by every form, cleaned from stored rows.

A representative's address holding U+000B and U+001F made the XLSX export fail for
every staff member (openpyxl cannot write them) and the CSV impossible to import
again. The portal's and the admin's forms now refuse them, in French; a textarea
still takes tabs and line breaks, a one-line field does not.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext

from activities.models import Activity
from activities.tests.factories import ActivityFactory, MeasureFactory
from members.models import Contact
from members.tests.factories import ContactFactory, MemberFactory, RepresentativeFactory, TerritoryFactory
from partners.tests.factories import OrganisationFactory
from pole.control_characters import ControlCharacterValidator
from pole.fiscal_years import FiscalYear
from reports.models import ReportMessage, Signatory
from reports.tests.factories import AnnualReportFactory, ReportMessageFactory


def clean_stored_text(apps, app_label):
    """The data migrations' cleaning (a frozen copy in each app's migration; members' is tested)."""
    migration = importlib.import_module("members.migrations.0008_clean_control_characters")
    return migration.clean_stored_text(apps, app_label)


def control_message(character):
    return gettext("This text holds an invisible control character ({character}); remove it.").format(
        character=character
    )


SINGLE_LINE = "This field must hold a single line: remove its tabs and line breaks."


@pytest.mark.parametrize(
    ("text", "multiline", "error"),
    [
        ("12, rue Principale", False, None),
        ("Québec\u00a0— l'Île-d'Orléans 😀", False, None),
        ("12, rue\x0b\x1f Principale", True, "U+000B"),
        ("bip\x07", False, "U+0007"),
        ("effacer\x7f", False, "U+007F"),
        ("ligne\x85suivante", True, "U+0085"),
        ("Coop\ufffe", False, "U+FFFE"),
        ("Coop\uffff", True, "U+FFFF"),
        ("Coop\ud800", True, "U+D800"),
        ("\ufeffCoop \ufffd \U0010fffd", False, None),  # a byte order mark, the replacement character: text
        ("12, rue Principale\r\nQuébec\tG1R 1A1", True, None),
        ("Alimentation\tbio", False, SINGLE_LINE),
        ("deux\nlignes", False, SINGLE_LINE),
    ],
)
def test_the_validator_refuses_control_characters_and_line_breaks_on_one_line(text, multiline, error):
    validator = ControlCharacterValidator(multiline=multiline)
    if error is None:
        validator(text)
        return
    with pytest.raises(Exception) as refused:
        validator(text)
    expected = gettext(SINGLE_LINE) if error == SINGLE_LINE else control_message(error)
    assert refused.value.messages == [expected]


# The member portal


@pytest.fixture
def representative(db):
    member = MemberFactory(name="Coopérative Alpha", address="1, rue Saint-Jean", fiscal_years=[FiscalYear.current()])
    return RepresentativeFactory(member=member)


def profile_data(**changes):
    return {
        "description": "",
        "sector": "",
        "address": "",
        "phone": "",
        "email": "",
        "website": "",
        **changes,
    }


def test_the_profile_form_refuses_a_control_character_in_french(client, representative):
    client.force_login(representative.user)

    response = client.post(
        reverse("members:profile"), profile_data(address="12, rue\x0b\x1f Principale", phone="418 555\x1f0134")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["address"] == [control_message("U+000B")]
    assert errors["phone"] == [control_message("U+001F")]
    representative.member.refresh_from_db()
    assert representative.member.address == "1, rue Saint-Jean"


def test_the_profile_address_keeps_its_line_breaks_and_the_phone_one_line(client, representative):
    client.force_login(representative.user)

    refused = client.post(reverse("members:profile"), profile_data(phone="418 555-0134\tposte 2"))
    saved = client.post(reverse("members:profile"), profile_data(address="12, rue Principale\r\nQuébec"))

    assert refused.context["form"].errors["phone"] == [gettext(SINGLE_LINE)]
    assert saved.status_code == 302
    representative.member.refresh_from_db()
    assert representative.member.address == "12, rue Principale\r\nQuébec"


def test_a_portal_contact_with_a_control_character_is_refused(client, representative):
    client.force_login(representative.user)

    response = client.post(
        reverse("members:contact-add"),
        {"first_name": "Léa", "last_name": "R\x1boy", "role": "direc\x00trice", "email": "", "phone": ""},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["last_name"] == [control_message("U+001B")]
    assert control_message("U+0000") in errors["role"]
    assert not Contact.objects.filter(first_name="Léa").exists()


# The admin


def member_change_data(member, **changes):
    return {
        "name": member.name,
        "legal_form": member.legal_form,
        "category": member.category,
        "founding_year": member.founding_year or "",
        "sector": member.sector_id or "",
        "territory": member.territory_id or "",
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
        **changes,
    }


def test_the_admin_member_form_and_its_contacts_refuse_control_characters(personnel_client, db):
    member = MemberFactory(name="Coopérative Alpha", sector="Alimentation")
    url = reverse("admin:members_member_change", args=[member.pk])

    response = personnel_client.post(
        url,
        member_change_data(
            member,
            name="Coopérative\x1fAlpha",
            description="Première ligne\r\n\tDeuxième ligne",
            **{
                "contacts-TOTAL_FORMS": 1,
                "contacts-0-first_name": "L\x0céa",
                "contacts-0-last_name": "Roy",
            },
        ),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"name": [control_message("U+001F")]}
    (contacts,) = [
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "contacts"
    ]
    assert contacts.formset.errors[0] == {"first_name": [control_message("U+000C")]}
    member.refresh_from_db()
    assert member.name == "Coopérative Alpha"
    assert not member.contacts.exists()

    saved = personnel_client.post(url, member_change_data(member, description="Première ligne\r\n\tDeuxième ligne"))

    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.description == "Première ligne\r\n\tDeuxième ligne"


def test_the_admin_activity_form_and_its_measures_refuse_control_characters(personnel_client, db):
    response = personnel_client.post(
        reverse("admin:activities_activity_add"),
        {
            "start_date": "2016-04-13",
            "title": "Forma\x1ftion",
            "role": Activity.Role.REALISATION,
            "place": "Saint-\x08Raymond",
            "measures-TOTAL_FORMS": 1,
            "measures-INITIAL_FORMS": 0,
            "measures-0-label": "entre\x0bprises",
            "measures-0-value": 3,
            "measures-0-order": 0,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["title"] == [control_message("U+001F")]
    assert errors["place"] == [control_message("U+0008")]
    (measures,) = response.context["inline_admin_formsets"]
    assert measures.formset.errors[0] == {"label": [control_message("U+000B")]}
    assert not Activity.objects.exists()


def test_the_admin_report_message_form_refuses_control_characters(direction_client, db):
    report = AnnualReportFactory(fiscal_year=FiscalYear(2016))

    response = direction_client.post(
        reverse("admin:reports_reportmessage_add"),
        {
            "report": report.pk,
            "kind": ReportMessage.Kind.PRESIDENTS,
            "title": "Une année\x1e de croissance",
            "body": "Premier paragraphe.\x07\n\nDeuxième paragraphe.",
            "signatories-TOTAL_FORMS": 1,
            "signatories-INITIAL_FORMS": 0,
            "signatories-0-name": "Marie\x1d Tremblay",
            "signatories-0-role": "coprésidente",
            "signatories-0-order": 0,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["title"] == [control_message("U+001E")]
    assert errors["body"] == [control_message("U+0007")]
    (signatories,) = response.context["inline_admin_formsets"]
    assert signatories.formset.errors[0] == {"name": [control_message("U+001D")]}
    assert not ReportMessage.objects.exists()
    assert not Signatory.objects.exists()


def test_every_registered_model_admin_checks_its_text_fields(rf, personnel_user):
    """The site adds the check to each model admin, so one registered later is covered too."""
    request = rf.get("/")
    request.user = personnel_user
    for model, model_admin in admin.site._registry.items():
        text_fields = [
            f for f in model._meta.get_fields() if f.concrete and f.get_internal_type() in ("CharField", "TextField")
        ]
        for db_field in text_fields:
            form_field = model_admin.formfield_for_dbfield(db_field, request)
            if form_field is None or db_field.choices:
                continue
            assert any(isinstance(v, ControlCharacterValidator) for v in form_field.validators), (model, db_field)


# Rows stored before the forms refused them


MIGRATIONS = {
    "members": "0008_clean_control_characters",
    "activities": "0005_clean_control_characters",
    "partners": "0004_clean_control_characters",
    "reports": "0005_clean_control_characters",
}


def test_the_data_migrations_clean_every_text_column(db):
    """Each app's migration strips control characters; a one-line text gets its line breaks as spaces."""
    territory = TerritoryFactory(name="Portneuf\x1f")
    member = MemberFactory(
        name="Coopérative\nAlpha",
        territory=territory,
        address="12, rue\x0b\x1f Principale\r\nQuébec\t(Qc)",
    )
    clash = MemberFactory(name="Coop Bêta")
    twin = MemberFactory(name="Coop Bêta\x7f")
    contact = ContactFactory(member=member, first_name="Léa\x1b", role="directrice\tgénérale")
    activity = ActivityFactory(title="Formation\x0c", place="Saint-Raymond", start_date=datetime.date(2016, 4, 13))
    measure = MeasureFactory(activity=activity, label="entreprises\x01")
    organisation = OrganisationFactory(name="Ville\x1e de Québec")
    message = ReportMessageFactory(title="Mot\x07", body="Un\x0b.\n\nDeux.")
    untouched = MemberFactory(name="Coopérative Gamma", address="1, rue\r\nQuébec")

    for app_label, migration in MIGRATIONS.items():
        module = importlib.import_module(f"{app_label}.migrations.{migration}")
        module.clean_control_characters(apps, None)

    member.refresh_from_db()
    # (Sectors were text until members 0009, which made them rows after this cleaning ran.)
    assert member.name == "Coopérative Alpha"
    assert member.address == "12, rue Principale\r\nQuébec\t(Qc)"
    territory.refresh_from_db()
    assert territory.name == "Portneuf"
    contact.refresh_from_db()
    assert (contact.first_name, contact.role) == ("Léa", "directrice générale")
    clash.refresh_from_db()
    twin.refresh_from_db()
    assert (clash.name, twin.name) == ("Coop Bêta", "Coop Bêta\ufffd")  # kept apart: unique names
    activity.refresh_from_db()
    measure.refresh_from_db()
    assert (activity.title, measure.label) == ("Formation", "entreprises")
    organisation.refresh_from_db()
    assert organisation.name == "Ville de Québec"
    message.refresh_from_db()
    assert (message.title, message.body) == ("Mot", "Un.\n\nDeux.")
    untouched.refresh_from_db()
    assert untouched.address == "1, rue\r\nQuébec"
    assert member.history.first().address == "12, rue Principale\r\nQuébec\t(Qc)"


def test_cleaning_an_app_without_control_characters_writes_nothing(db, django_assert_num_queries):
    MemberFactory.create_batch(3, address="1, rue\r\nQuébec")

    # One read per model of the app holding text; no write.
    text_models = [
        model
        for model in apps.get_app_config("members").get_models()
        if any(
            isinstance(field, (models.CharField, models.TextField)) and not field.primary_key
            for field in model._meta.concrete_fields
        )
    ]
    with django_assert_num_queries(len(text_models)):
        clean_stored_text(apps, "members")


def test_an_xlsx_export_holds_a_name_that_had_a_noncharacter(db):
    """U+FFFE and U+FFFF broke every XLSX export (XML cannot hold them): stripped, the file opens."""
    import io

    import openpyxl
    from import_export.formats.base_formats import XLSX

    from members.models import Member
    from members.resources import MemberResource

    member = MemberFactory(name="Coop\ufffe Alpha\uffff")
    Member.objects.filter(pk=member.pk).update(address="1, rue\ufffe Saint-Jean")

    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(MemberResource().export())))

    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == "Coop Alpha"
    assert rows[1][10] == "1, rue Saint-Jean"
