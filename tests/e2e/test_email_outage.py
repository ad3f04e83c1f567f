"""A mail server that refuses, in a real Chromium: the visitor is registered, staff send the e-mail again.

A real SMTP server (aiosmtpd on 127.0.0.1) answers « 451 » to every recipient. The visitor's
registration goes through and the page says that the confirmation will follow; staff find the
message in the admin's outbox, with the server's answer, and send it again once the server is
back: it is delivered. Set POLE_SCREENSHOTS to a folder to keep the pictures.
"""

import os
import re
from pathlib import Path

import pytest

from activities.tests.factories import EventFactory, ObjectiveFactory
from conftest import DESKTOP, PHONE, admin_log_in
from members.roles import PERSONNEL
from members.tests.factories import UserFactory
from pole.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("POLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def personnel(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)
    return UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])


def register(page, event):
    page.goto(f"/activites/{event.pk}/")
    page.get_by_label("Prénom et nom").fill("Marie Tremblay")
    page.get_by_label("Courriel").fill("marie@exemple.org")
    page.get_by_label("Organisation", exact=True).fill("Coop des Deux Rives")
    page.get_by_label("Téléphone").fill("418 555-0134")
    page.get_by_role("button", name="S’inscrire").click()


def test_registering_while_the_mail_server_refuses_then_staff_send_it_again(
    new_page, smtp_server, personnel, screenshots
):
    event = EventFactory(title="Déjeuner d'affaires à Québec", capacity=20, objectives=[ObjectiveFactory()])
    smtp_server.mode = "refuse"

    desktop = new_page(DESKTOP)
    register(desktop, event)
    # The same page on a phone, for the same session (the registration belongs to it).
    phone = new_page(PHONE)
    phone.context.add_cookies(desktop.context.cookies())
    for page, width in ((desktop, "1280"), (phone, "390")):
        if page is phone:
            phone.goto(desktop.url)
        page.get_by_role("heading", name="Confirmez votre inscription").wait_for()
        text = " ".join(page.locator("main").inner_text().replace("\u00a0", " ").split())
        assert "Nous avons envoyé un courriel à marie@exemple.org" in text
        assert "Une place vous est réservée pendant 30 minutes" in text
        assert "Le courriel n’a pas encore pu partir : il est conservé et envoyé dès que" in text
        page.screenshot(path=screenshots / f"inscription-courriel-en-panne-{width}.png", full_page=True)

    stored = OutboxMessage.objects.get()
    assert (stored.status, stored.attempts) == ("pending", 1)
    assert "451" in stored.last_error and smtp_server.messages == []

    # Staff see it waiting in the outbox, with the server's answer, and send it again once it is back.
    staff = new_page(DESKTOP)
    admin_log_in(staff, "personnel@exemple.org", PASSWORD)
    staff.goto("/admin/pole/outboxmessage/")
    row = staff.locator("#result_list tbody tr").filter(has_text="marie@exemple.org")
    assert "en attente" in row.inner_text()
    row.locator("th a").click()
    assert "451" in staff.locator("main, #content").first.inner_text()
    staff.screenshot(path=screenshots / "boite-envoi-message-en-attente.png", full_page=True)

    smtp_server.mode = "accept"
    staff.goto("/admin/pole/outboxmessage/")
    staff.locator(f"input[name=_selected_action][value='{stored.pk}']").check()
    staff.select_option("select[name=action]", "send_again")
    staff.get_by_role("button", name="Envoyer", exact=True).click()
    staff.locator(".messagelist .success").wait_for()
    assert "envoyé de nouveau" in staff.locator(".messagelist").inner_text()
    assert "envoyé" in staff.locator("#result_list tbody tr").filter(has_text="marie@exemple.org").inner_text()
    staff.screenshot(path=screenshots / "boite-envoi-apres-renvoi.png", full_page=True)

    (request,) = smtp_server.messages
    assert request["To"] == "marie@exemple.org"
    assert " ".join(request["Subject"].replace("\u00a0", " ").split()) == (
        "Confirmez votre inscription : Déjeuner d’affaires à Québec"
    )
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("sent", 2)

    # The visitor's page now says the e-mail left; its link confirms, and the confirmation follows.
    desktop.reload()
    assert "n’a pas encore pu partir" not in desktop.locator("main").inner_text()
    body = request.get_body(preferencelist=("plain",)).get_content()
    desktop.goto(re.search(r"http://\S+/activites/confirmation/\S+/", body)[0])
    desktop.get_by_role("button", name="Confirmer mon inscription").click()
    desktop.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    assert "Une confirmation a été envoyée à marie@exemple.org" in desktop.locator("main").inner_text().replace(
        "\u00a0", " "
    )
    (_, confirmation) = smtp_server.messages
    assert " ".join(confirmation["Subject"].replace("\u00a0", " ").split()) == (
        "Inscription confirmée : Déjeuner d’affaires à Québec"
    )
