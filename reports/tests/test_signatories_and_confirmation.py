"""The report's page in the admin edits each message's signatories; the readiness check flags an
unsigned message and, right after publishing, confirms the new version."""

import re

import pytest
from django.urls import reverse

from pole.fiscal_years import FiscalYear
from pole.tests.admin_helpers import page_data
from reports.models import AnnualReport, ReportMessage, Signatory
from reports.publishing import describe_changes
from reports.readiness import readiness_check
from reports.tests.factories import AnnualReportFactory, ReportMessageFactory, SignatoryFactory

pytestmark = pytest.mark.django_db

YEAR = FiscalYear(2017)
NBSP = "\u00a0"


def change_url(report):
    return reverse("admin:reports_annualreport_change", args=[report.pk])


def texts(check):
    return [item.text for item in check["items"]]


# --- Readiness: a message without signatories ------------------------------------------------


def test_readiness_flags_an_unsigned_message_and_links_to_the_report_page():
    report = AnnualReportFactory(fiscal_year=YEAR)
    ReportMessageFactory(report=report, kind=ReportMessage.Kind.PRESIDENTS)
    SignatoryFactory(message=ReportMessageFactory(report=report, kind=ReportMessage.Kind.DIRECTOR))
    check = readiness_check(YEAR)
    unsigned = [item for item in check["items"] if "signataire" in item.text]
    assert [(item.text, item.url, item.link_text) for item in unsigned] == [
        (
            f"Le «{NBSP}Mot des présidents{NBSP}» n’a aucun signataire{NBSP}: il s’imprimerait sans signature.",
            f"{change_url(report)}#messages-group",
            "Ajouter ses signataires",
        )
    ]
    SignatoryFactory(message=report.messages.get(kind=ReportMessage.Kind.PRESIDENTS))
    assert not [text for text in texts(readiness_check(YEAR)) if "signataire" in text]


# --- The admin: signatories inside each message of the report's page --------------------------


def signatory_rows(data, message_index, rows):
    """Fill the blank signatory rows of the message at ``message_index`` as a browser would."""
    prefix = f"messages-{message_index}-signatories"
    for index, (name, role, order) in enumerate(rows, start=int(data[f"{prefix}-INITIAL_FORMS"])):
        data[f"{prefix}-{index}-name"] = name
        data[f"{prefix}-{index}-role"] = role
        data[f"{prefix}-{index}-order"] = str(order)
    return data


def nested_page_data(response):
    """``page_data`` with the signatories' formsets the report page renders inside each message."""
    data = page_data(response)
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            nested = getattr(form, "signatories", None)
            if nested is None:
                continue
            for name in nested.management_form.fields:
                data[nested.management_form.add_prefix(name)] = nested.management_form[name].value()
            for row in nested.forms:
                for bound in row:
                    value = bound.value()
                    if isinstance(value, bool):
                        if value:
                            data[bound.html_name] = "on"
                    else:
                        data[bound.html_name] = "" if value is None else str(value)
    return data


def test_the_report_page_shows_each_messages_signatories(direction_client):
    report = AnnualReportFactory(fiscal_year=YEAR)
    message = ReportMessageFactory(report=report)
    SignatoryFactory(message=message, name="Charles Demers", role="coprésident")
    html = direction_client.get(change_url(report)).content.decode()
    assert re.search(r'<h4 id="messages-0-signatories-heading">\s*Signataires\s*</h4>', html)
    assert 'value="Charles Demers"' in html and 'aria-label="Nom"' in html
    # The empty message the « add another » button clones carries its own signatories' rows.
    assert 'name="messages-__prefix__-signatories-TOTAL_FORMS"' in html


def test_signatories_are_added_changed_and_removed_on_the_report_page(direction_client):
    report = AnnualReportFactory(fiscal_year=YEAR)
    message = ReportMessageFactory(report=report)
    old = SignatoryFactory(message=message, name="Ancien Président", role="président")
    data = nested_page_data(direction_client.get(change_url(report)))
    data["messages-0-signatories-0-DELETE"] = "on"
    signatory_rows(data, 0, [("Charles Demers", "coprésident", 0), ("Garry Lavoie", "coprésident", 1)])
    data["_save"] = "Enregistrer"
    response = direction_client.post(change_url(report), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(message.signatories.values_list("name", "role", "order")) == [
        ("Charles Demers", "coprésident", 0),
        ("Garry Lavoie", "coprésident", 1),
    ]
    assert not Signatory.objects.filter(pk=old.pk).exists()


def test_a_new_message_and_its_signatories_are_saved_together(direction_client):
    report = AnnualReportFactory(fiscal_year=YEAR)
    data = nested_page_data(direction_client.get(change_url(report)))
    data["messages-TOTAL_FORMS"] = "1"
    data.update(
        {
            "messages-0-kind": "director",
            "messages-0-title": "Souder les partenariats",
            "messages-0-body": "Un paragraphe.",
            "messages-0-order": "0",
            "messages-0-signatories-TOTAL_FORMS": "2",
            "messages-0-signatories-INITIAL_FORMS": "0",
            "messages-0-signatories-0-name": "Félix Bussières",
            "messages-0-signatories-0-role": "directeur général",
            "messages-0-signatories-0-order": "0",
            "messages-0-signatories-1-order": "0",
            "_save": "Enregistrer",
        }
    )
    response = direction_client.post(change_url(report), data)
    assert response.status_code == 302
    message = report.messages.get()
    assert list(message.signatories.values_list("name", "role")) == [("Félix Bussières", "directeur général")]


def test_a_signatory_without_a_role_is_refused_and_nothing_is_saved(direction_client):
    report = AnnualReportFactory(fiscal_year=YEAR)
    message = ReportMessageFactory(report=report, title="Titre d’origine")
    data = nested_page_data(direction_client.get(change_url(report)))
    data["messages-0-title"] = "Titre changé"
    signatory_rows(data, 0, [("Charles Demers", "", 0)])
    data["_save"] = "Enregistrer"
    response = direction_client.post(change_url(report), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vérifiez les signataires de ce message ci-dessous." in html
    assert "Ce champ est obligatoire." in html
    message.refresh_from_db()
    assert message.title == "Titre d’origine" and not message.signatories.exists()


def test_a_post_without_the_signatories_leaves_them_as_they_are(direction_client):
    report = AnnualReportFactory(fiscal_year=YEAR)
    message = ReportMessageFactory(report=report)
    SignatoryFactory(message=message, name="Charles Demers")
    data = page_data(direction_client.get(change_url(report)))  # no signatories' part, as a script might post
    data["_save"] = "Enregistrer"
    assert direction_client.post(change_url(report), data).status_code == 302
    assert list(message.signatories.values_list("name", flat=True)) == ["Charles Demers"]


# --- The drift list names each figure once -----------------------------------------------------


def test_a_changed_figure_is_told_once_whether_its_table_row_or_its_tile_changed():
    # As report_snapshot stores them: the year-over-year rows under the figures' names, the tiles under their words.
    before = {
        "figures": {"croissance du membership (%)": "+35\u00a0%", "part en milieu rural (%)": "15\u00a0%"},
        "tiles": {"croissance du membership": "+35\u00a0%", "en milieu rural": "15\u00a0%", "réseaux sociaux": "37\u00a0%"},
    }
    after = {
        "figures": {"croissance du membership (%)": "+40\u00a0%", "part en milieu rural (%)": "20\u00a0%"},
        "tiles": {"croissance du membership": "+40\u00a0%", "en milieu rural": "20\u00a0%", "réseaux sociaux": "40\u00a0%"},
    }
    assert describe_changes(before, after) == [
        f"Croissance du membership{NBSP}: +35{NBSP}% → +40{NBSP}%",
        f"Part en milieu rural{NBSP}: 15{NBSP}% → 20{NBSP}%",
        f"Réseaux sociaux{NBSP}: 37{NBSP}% → 40{NBSP}%",
    ]
    # A label this code does not know stays a change of its own.
    assert describe_changes({"figures": {"ancien chiffre": "1"}}, {"figures": {"ancien chiffre": "2"}}) == [
        f"Ancien chiffre{NBSP}: 1 → 2"
    ]


# Committed for real: without a broker the publication runs right after the click's commit,
# inside the request, as in the web process.
@pytest.mark.django_db(transaction=True)
def test_the_admin_publish_action_names_the_version_and_where_to_check_it(direction_client, settings):
    from unittest import mock

    from reports.tests.factories import ReportVersionFactory

    report = AnnualReportFactory(fiscal_year=YEAR, is_published=False)

    def fake_publish(*, report, by=None, published_at=None):
        # Rendering the archival PDF is tested elsewhere (test_publishing); here, the message.
        report.is_published = True
        report.save()
        return ReportVersionFactory(report=report, number=3)

    with mock.patch("reports.publishing.publish", fake_publish):
        response = direction_client.post(
            reverse("admin:reports_annualreport_changelist"),
            {"action": "publish", "_selected_action": [report.pk]},
            follow=True,
        )
    message = str(list(response.context["messages"])[0])
    assert message.startswith("La version 3 du rapport 2017-2018 est publiée")
    assert f'<a href="{reverse("reports:readiness", args=[YEAR.label])}">La voir dans la vérification</a>' in message
    assert AnnualReport.objects.get(pk=report.pk).is_published


# --- Right after publishing -------------------------------------------------------------------


# Committed for real: without a broker the publication runs right after the click's commit,
# inside the request, as in the web process.
@pytest.mark.django_db(transaction=True)
def test_after_publishing_the_readiness_page_confirms_the_new_version_once(direction_client):
    from unittest import mock

    from reports.tests.factories import ReportVersionFactory

    AnnualReportFactory(fiscal_year=YEAR, is_published=False)
    readiness = reverse("reports:readiness", args=[YEAR.label])
    before = " ".join(direction_client.get(readiness).content.decode().split())
    assert "à régler avant de publier" in before

    def fake_publish(*, report, by=None, published_at=None):
        # The archival rendering itself is tested in test_publishing; here, what the page says after it.
        report.is_published = True
        report.save()
        return ReportVersionFactory(report=report, number=2, page_count=14, pdf_size=2_400_000)

    with mock.patch("reports.publishing.publish", fake_publish):
        response = direction_client.post(reverse("reports:publish", args=[YEAR.label]))
    assert response.status_code == 302 and response["Location"] == f"{readiness}#publication"

    page = direction_client.get(readiness)
    assert "no-store" in page["Cache-Control"]  # going back to it reads it afresh
    html = re.sub(r"[ \t\r\n]+", " ", page.content.decode())
    assert f"La version 2 du rapport 2017-2018 est publiée{NBSP}: les pages publiques la présentent désormais." in html
    assert f"Son PDF d’archive compte 14 pages (2,3{NBSP}Mio)" in html
    assert f'href="{reverse("reports:version-file", args=[YEAR.label, 2, "pdf"])}">téléchargez le PDF de la version 2' in html
    assert "vous pourrez publier la version 3" in html
    assert "à revoir avant une prochaine version" in html and "à régler avant de publier" not in html
    # Shown once: the page read again is the plain readiness check of a published year.
    assert "est publiée" not in direction_client.get(readiness).content.decode().split("publication-title")[1][:400]
    assert "published-now" not in direction_client.get(readiness).content.decode()
