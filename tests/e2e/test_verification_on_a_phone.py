"""The verification page of a published report, with data changed since, fits a phone."""

import pytest

from activities.models import Activity
from conftest import PHONE, admin_log_in
from tests.e2e.test_accessibility import REPORT_YEAR, sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_verification_page_with_a_drift_fits_a_phone(e2e_demo, new_page):
    """With the data changed since the version: the drift's list and the « publish » button.

    The live server must see the change, so this test has a transactional demo of its own,
    apart from test_accessibility.py's shared site.
    """
    from demo.loader import _archive_report

    _archive_report()
    activity = Activity.objects.order_by("pk").first()
    activity.title += " (Portneuf), une formation de deux jours avec l’Ordre des comptables"
    activity.save()
    page = new_page(PHONE)
    admin_log_in(page, "direction@exemple.org")
    page.goto(f"/rapports/{REPORT_YEAR}/verification/")
    assert "autrement que la version 1" in page.locator(".drift").inner_text()
    assert sideways_overflow(page) == 0
