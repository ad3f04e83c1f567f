"""Publishing as the Direction does it, in a real headless Chromium: freeze, see the drift, publish again."""

import hashlib

import pytest

from conftest import DESKTOP, admin_log_in
from reports.models import ReportVersion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

log_in = admin_log_in

# Publishing renders the archival PDF and the self-contained file before the page answers: a few
# seconds alone, longer on a busy machine. The click waits for that answer up to this bound.
PUBLISHING = 120_000


def message(page):
    return " ".join(page.locator(".alert-success, .messagelist .success").first.inner_text().split())


@pytest.mark.long
def test_the_direction_freezes_the_report_sees_the_drift_and_publishes_again(e2e_demo, new_page):
    direction = new_page(DESKTOP)
    log_in(direction, "direction@exemple.org")
    direction.goto("/rapports/2016-2017/verification/")
    assert "n’a jamais été figé" in direction.locator(".publication").inner_text()
    direction.get_by_role("button", name="Publier une version").click(timeout=PUBLISHING)
    assert message(direction).startswith("La version 1 du rapport 2016-2017 est publiée")
    first = ReportVersion.objects.get(number=1)
    assert "exactement comme la version 1" in direction.locator(".publication").inner_text()

    # A visitor downloads the adopted PDF.
    visitor = new_page(DESKTOP)
    assert hashlib.sha256(visitor.request.get("/rapports/2016-2017.pdf").body()).hexdigest() == first.pdf_sha256

    # Personnel corrects an activity's title in the admin, a year later.
    personnel = new_page(DESKTOP)
    log_in(personnel, "personnel@exemple.org")
    personnel.goto("/admin/activities/activity/?q=comptabilit%C3%A9")
    personnel.get_by_role("link", name="Formation en comptabilité dans Portneuf").first.click()
    personnel.get_by_label("Titre").fill("Formation en comptabilité (Portneuf)")
    personnel.get_by_role("button", name="Enregistrer", exact=True).click()
    personnel.locator(".messagelist .success").wait_for()

    # The public PDF has not changed; the readiness page shows what would.
    assert hashlib.sha256(visitor.request.get("/rapports/2016-2017.pdf").body()).hexdigest() == first.pdf_sha256
    direction.goto("/rapports/2016-2017/verification/")
    drift = direction.locator(".drift").inner_text()
    assert "autrement que la version 1" in drift
    assert (
        "Activité renommée\u00a0: «\u00a0Formation en comptabilité dans Portneuf\u00a0» → «\u00a0Formation en comptabilité (Portneuf)\u00a0»"
        in drift
    )

    direction.get_by_role("button", name="Publier une nouvelle version").click(timeout=PUBLISHING)
    assert message(direction).startswith("La version 2 du rapport 2016-2017 est publiée")
    second = ReportVersion.objects.get(number=2)
    assert hashlib.sha256(visitor.request.get("/rapports/2016-2017.pdf").body()).hexdigest() == second.pdf_sha256
    rows = direction.locator("table.versions tbody tr")
    assert rows.count() == 2
    assert first.pdf_sha256 in rows.nth(1).inner_text()
