"""A week of ordinary work on the demo, in a real headless Chromium (issue 26).

- the representative already registered for the workshop sees it, cancels, registers again and
  cancels from the portal's « Inscriptions » tab, leaves a waiting list, and reads the invoices
  on a 390 px phone;
- Personnel records a payment (the balance offered), checks the door page, reads the dashboard
  and imports a members file saved by a French Excel (Windows-1252, semicolons);
- the Direction signs the presidents' message on the report's page, publishes, reads the
  confirmation on the refreshed readiness page, and sees one drift line per changed figure.

Set POLE_SCREENSHOTS to a folder to keep the pictures (the registered representative's event
page, the invoices at 390 px, the readiness page right after publishing).
"""

import csv
import io
import os
import re
from pathlib import Path

import pytest

from activities.models import Activity, Registration
from conftest import DESKTOP, PHONE, admin_log_in
from members.models import Invoice, Member, Payment
from pole.fiscal_years import FiscalYear
from reports.models import Figure, ReportMessage, ReportVersion
from reports.statistics import year_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORKSHOP = "Atelier : vendre aux acheteurs institutionnels"
BREAKFAST = "Déjeuner d'affaires de l'économie sociale"
# Publishing renders the archival PDF and the self-contained file before the page answers.
PUBLISHING = 120_000


def screenshots(tmp_path):
    folder = Path(os.environ.get("POLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def words(text):
    """Text as a person reads it: no-break spaces as spaces, runs of spaces made one."""
    return " ".join(text.replace("\u00a0", " ").split())


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def portal_log_in(page, email):
    from conftest import E2E_PASSWORD

    page.goto("/connexion/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/membre/")


def alert(page):
    return words(page.locator(".messages .alert").first.inner_text())


def test_the_registered_representative_cancels_registers_again_and_reads_invoices_on_a_phone(
    e2e_demo, new_page, tmp_path
):
    folder = screenshots(tmp_path)
    workshop = Activity.objects.get(title=WORKSHOP)
    mine = Registration.objects.get(activity=workshop, email="membre@exemple.org")

    # The event page shows the registration, not an empty form.
    page = new_page(DESKTOP)
    portal_log_in(page, "membre@exemple.org")
    page.goto("/activites/")
    page.get_by_role("link", name=WORKSHOP).click()
    registered = page.locator("#my-registration")
    assert "Vous êtes inscrit·e : votre place est confirmée." in words(registered.inner_text())
    assert "Julie Tremblay · membre@exemple.org" in words(registered.inner_text())
    assert not page.get_by_label("Prénom et nom").is_visible()  # the form registers someone else, folded
    assert page.get_by_text("Inscrire une ou un collègue de Coopérative funéraire des Deux Rives").is_visible()
    page.screenshot(path=str(folder / "evenement-representante-inscrite-1280.png"), full_page=True)
    phone = new_page(PHONE)
    portal_log_in(phone, "membre@exemple.org")
    phone.goto(f"/activites/{workshop.pk}/")
    assert sideways_overflow(phone) == 0
    phone.screenshot(path=str(folder / "evenement-representante-inscrite-390.png"), full_page=True)

    # Cancelling from the event page: a confirmation, then what happened and what comes next.
    registered.get_by_role("link", name="Annuler mon inscription").click()
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_url(f"**/activites/{workshop.pk}/")
    assert alert(page) == (
        f"Votre inscription à « {WORKSHOP} » est annulée. La place est libre pour quelqu’un d’autre. "
        "Pour venir finalement, réinscrivez-vous sur la page de l’activité (sur la liste d’attente si elle est complète)."
    )
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED

    # Registering again, with the details prefilled; then cancelling from the portal's tab.
    assert page.get_by_label("Prénom et nom").input_value() == "Julie Tremblay"
    page.get_by_role("button", name="S’inscrire").click()
    page.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    page.goto("/membre/inscriptions/")
    page.get_by_role("link", name="Annuler l’inscription de Julie Tremblay").click()
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_url("**/membre/inscriptions/")
    assert alert(page).startswith(f"Votre inscription à « {WORKSHOP} » est annulée.")
    assert not Registration.objects.active().filter(activity=workshop, email="membre@exemple.org").exists()
    assert page.get_by_role("link", name="Annuler l’inscription de Julie Tremblay").count() == 0

    # The breakfast is full: the representative waits, sees their place, and leaves the list.
    page.goto("/activites/")
    page.get_by_role("link", name=BREAKFAST).click()
    page.get_by_role("button", name="S’inscrire").click()
    page.get_by_text("vous êtes numéro 2 sur la liste d’attente").wait_for()
    page.get_by_role("link", name="Retour à l’activité").click()
    assert "Vous êtes sur la liste d’attente : numéro 2." in words(page.locator("#my-registration").inner_text())
    page.locator("#my-registration").get_by_role("link", name="Annuler mon inscription").click()
    assert "La place sur la liste d’attente sera libérée." in words(page.locator("main").inner_text())
    page.get_by_role("button", name="Annuler mon inscription").click()
    assert "La place sur la liste d’attente est libérée." in alert(page)

    # The invoices on a 390 px phone: no sideways scroll, the PDF and the receipt within reach.
    phone.goto("/membre/factures/")
    assert sideways_overflow(phone) == 0
    for name in ("PDF F2016-0029", "Reçu F2016-0029"):
        box = phone.get_by_role("link", name=name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    phone.screenshot(path=str(folder / "factures-390.png"), full_page=True)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Reçu F2016-0029").click()
    assert download.value.suggested_filename.endswith(".pdf")


def excel_csv(path, rows):
    """A file as a French Excel saves « CSV (séparateur : point-virgule) »: Windows-1252, semicolons, CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def test_personnel_records_a_payment_checks_the_door_and_imports_an_excel_file(e2e_demo, new_page, tmp_path):
    page = new_page(DESKTOP)
    admin_log_in(page, "personnel@exemple.org")

    # The dashboard opens on the latest year with figures, not on the year of the coming events.
    current = FiscalYear.current()
    dashboard = words(page.locator("section[aria-labelledby='pole-dashboard-title']").inner_text())
    assert f"{current.label} n’a pas encore de chiffres" in dashboard
    assert "le tableau de bord montre 2016-2017, le dernier exercice qui en a." in dashboard
    page.select_option("#pole-dashboard-year", current.label)
    page.get_by_role("button", name="Afficher").click()
    row = page.locator(".pole-missing tr", has_text="Aucun participant").first
    assert row.locator("td").first.inner_text().strip() == "0"  # the two events to come lack nothing yet

    # The payment form offers the balance: from the part-paid invoice, then another one chosen.
    part_paid = Invoice.objects.get(member__name="Ressourcerie La Récupe", fiscal_year=FiscalYear(2017))
    page.goto(f"/admin/members/invoice/{part_paid.pk}/change/")
    page.get_by_role("link", name="inscrire un paiement").click()
    assert page.locator("#id_amount").input_value() == "80.00"
    assert "Solde de la facture F2017-0005 : 80,00 $ (total 160,00 $, déjà payé 80,00 $)." in words(
        page.locator(".form-row.field-amount").inner_text()
    )
    page.select_option("#id_invoice", label="F2017-0006 · Coopérative de travailleurs Vélo-Cité · 2017-2018 · solde 160,00\u00a0$")
    assert page.locator("#id_amount").input_value() == "160.00"
    page.select_option("#id_invoice", label="F2017-0005 · Ressourcerie La Récupe · 2017-2018 · solde 80,00\u00a0$")
    assert page.locator("#id_amount").input_value() == "80.00"
    page.fill("#id_reference", "78")
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"**/admin/members/invoice/{part_paid.pk}/change/")
    assert words(page.locator("ul.messagelist").inner_text()) == (
        "Paiement de 80,00 $ inscrit à la facture F2017-0005. La facture est soldée : Ressourcerie La Récupe est "
        "en règle pour 2017-2018, et son reçu est prêt ci-dessous et dans le portail du membre."
    )
    assert Payment.objects.filter(invoice=part_paid).count() == 2
    page.get_by_role("link", name="reçu").wait_for()

    # The door page: a walk-in without organisation shows their needs alone.
    workshop = Activity.objects.get(title=WORKSHOP)
    page.goto(f"/activites/{workshop.pk}/accueil/")
    line = page.locator("li", has_text="Marc-André Gagnon").locator(".text-body-secondary")
    assert line.inner_text().strip() == "Végétarien"

    # A members file saved by a French Excel: read, said how, imported, what comes next.
    header = [
        "nom", "forme_juridique", "categorie", "annee_fondation", "territoire", "milieu", "secteur", "courriel",
        "telephone", "site_web", "adresse", "adhesions",
    ]
    path = excel_csv(
        tmp_path / "membres.csv",
        [
            header,
            ["Coopérative de l’Île-d’Orléans", "coopérative", "régulier", "1998", "L'Île-d'Orléans", "rural", "", "",
             "", "", "« La Grange », 12 chemin Royal", "2017-2018"],
        ],
    )
    page.goto("/admin/members/member/import/")
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    page.locator("form input[type=submit]").click()
    assert words(page.locator(".import-reading").inner_text()) == (
        "Fichier lu comme CSV en Windows-1252, cellules séparées par des points-virgules."
    )
    assert "Coopérative de l’Île-d’Orléans" in page.locator("table.import-preview").inner_text()
    page.locator("input[name=confirm]").click()
    page.wait_for_url("**/admin/members/member/")
    message = words(page.locator("ul.messagelist").inner_text())
    assert "1 ligne ajoutée" in message and "Et maintenant : les lignes importées sont dans la liste ci-dessous" in message
    assert Member.objects.get(name="Coopérative de l’Île-d’Orléans").address == "« La Grange », 12 chemin Royal"


def test_the_director_signs_publishes_and_reads_the_confirmation(e2e_demo, new_page, tmp_path):
    folder = screenshots(tmp_path)
    page = new_page(DESKTOP)
    admin_log_in(page, "direction@exemple.org")
    readiness = "/rapports/2016-2017/verification/"

    # Unsigned: the presidents' signatories removed on the report's page; the readiness page says so.
    message = ReportMessage.objects.get(report__fiscal_year=FiscalYear(2016), kind="presidents")
    page.goto(f"/admin/reports/annualreport/{message.report_id}/change/")
    signatories = page.locator("#messages-0 fieldset.signatories")
    assert "Signataires" in signatories.inner_text()
    for row in range(message.signatories.count()):
        signatories.locator(f"#id_messages-0-signatories-{row}-DELETE").check()
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()
    page.locator(".messagelist .success").wait_for()
    assert not message.signatories.exists()
    page.goto(readiness)
    item = page.locator(".readiness-items li", has_text="n’a aucun signataire")
    assert words(item.inner_text()).startswith(
        "Le « Mot des présidents » n’a aucun signataire : il s’imprimerait sans signature."
    )

    # Signing it again from there: the link opens the report's page at its messages.
    item.get_by_role("link", name="Ajouter ses signataires").click()
    page.wait_for_url(re.compile(r"/admin/reports/annualreport/\d+/change/#messages-group$"))
    signatories = page.locator("#messages-0 fieldset.signatories")
    signatories.locator("#id_messages-0-signatories-0-name").fill("Charles Demers")
    signatories.locator("#id_messages-0-signatories-0-role").fill("coprésident")
    signatories.locator("#id_messages-0-signatories-1-name").fill("Garry Lavoie")
    signatories.locator("#id_messages-0-signatories-1-role").fill("coprésident")
    signatories.locator("#id_messages-0-signatories-1-order").fill("1")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    assert list(message.signatories.values_list("name", "role")) == [
        ("Charles Demers", "coprésident"),
        ("Garry Lavoie", "coprésident"),
    ]
    page.goto(readiness)
    assert page.locator(".readiness-items li", has_text="n’a aucun signataire").count() == 0

    # Publishing: the page comes back read afresh, confirming version 1 and saying what comes next.
    page.get_by_role("button", name="Publier une version").click(timeout=PUBLISHING)
    page.wait_for_url(re.compile(r"/rapports/2016-2017/verification/#publication-title$"))
    version = ReportVersion.objects.get(report__fiscal_year=FiscalYear(2016))
    confirmation = words(page.locator("#published-now").inner_text())
    assert confirmation.startswith(
        "La version 1 du rapport 2016-2017 est publiée : les pages publiques la présentent désormais."
    )
    assert f"Son PDF d’archive compte {version.page_count} pages" in confirmation
    assert "Et maintenant : téléchargez le PDF de la version 1 pour l’assemblée générale" in confirmation
    assert "vous pourrez publier la version 2" in confirmation
    assert "exactement comme la version 1" in page.locator(".publication").inner_text()
    headings = words(" ".join(page.locator("main h2").all_inner_texts()))
    assert "à revoir avant une prochaine version" in headings and "avant de publier" not in headings
    page.screenshot(path=str(folder / "verification-apres-publication.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#published-now").get_by_role("link", name="téléchargez le PDF de la version 1").click()
    assert download.value.suggested_filename == "rapport-annuel-2016-2017-v1.pdf"
    page.reload()
    assert page.locator("#published-now").count() == 0  # confirmed once

    # A member turns rural: the drift names the changed figure once, not once per table and tile.
    member = Member.objects.filter(memberships__fiscal_year=FiscalYear(2016), setting="urban").order_by("name")[0]
    page.goto(f"/admin/members/member/{member.pk}/change/")
    page.get_by_label("Milieu").select_option("rural")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    page.goto(readiness)
    changes = [words(text) for text in page.locator(".drift li").all_inner_texts()]
    rural = [change for change in changes if "rural" in change]
    share = year_figures(FiscalYear(2016)).value(Figure.RURAL_SHARE)
    assert rural == [f"Part en milieu rural : 15 % → {share} %"], changes
