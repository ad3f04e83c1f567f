"""Public pages served from the cache, in a real headless Chromium: a cached event page's form
works for every visitor, and the page follows a registration at once (pole/page_cache.py)."""

import re

import pytest

from activities.tests.factories import EventFactory
from conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("page_cache")]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def open_event(page, event):
    """Open the event's page; return how it was served (``X-Page-Cache``)."""
    response = page.goto(f"/activites/{event.pk}/")
    assert response.status == 200
    return response.headers["x-page-cache"]


def fill_and_register(page, *, name, email):
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Organisation", exact=True).fill("Coop des Deux Rives")
    page.get_by_role("button", name="S’inscrire").click()
    # Not logged in: the registration waits for the e-mailed link and holds a seat meanwhile.
    page.get_by_role("heading", name="Confirmez votre inscription").wait_for()


def test_visitors_register_through_a_cached_event_page(new_page, live_server):
    event = EventFactory(title="Atelier de comptabilité", capacity=10)
    first, second = new_page(DESKTOP), new_page(PHONE)

    assert open_event(first, event) == "miss"  # rendered, then kept
    assert open_event(second, event) == "hit"  # another visitor gets it from the cache…
    assert re.search(r"10 places libres sur 10", second.locator("#seats").inner_text())
    fill_and_register(second, name="Éloïse Roy", email="eloise@exemple.org")  # …and its form works

    # The first visitor's page was rendered before: its form works too, and the page now counts 8
    # (each registration to confirm holds its seat).
    fill_and_register(first, name="Marie Tremblay", email="marie@exemple.org")
    third = new_page(DESKTOP)
    assert open_event(third, event) == "miss"
    assert re.search(r"8 places libres sur 10", third.locator("#seats").inner_text())
    third.screenshot(path=str(live_server_shot("cached-event-page.png")), full_page=True)


def live_server_shot(name):
    import os
    from pathlib import Path

    folder = Path(os.environ.get("POLE_SCREENSHOTS", "/tmp/pole-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
