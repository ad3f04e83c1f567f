"""A member of the Personnel group imports members alone, in a real headless Chromium.

They read the columns' rules on the import page, download the template, upload a file
with a bad line (and read why, in French), then the corrected file, and confirm. The
error table and the preview fit a 1280-pixel-wide screen.
"""

from pathlib import Path

import pytest

from members.models import Member
from members.roles import PERSONNEL
from members.tests.factories import TerritoryFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def submit_file(page, path):
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label=path.suffix.lstrip("."))
    page.locator("form input[type=submit]").click()


def test_personnel_imports_members_from_the_template(new_page, tmp_path):
    TerritoryFactory(name="Portneuf", order=1)
    UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])
    page = new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "personnel@exemple.org")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()

    page.goto("/admin/members/member/")
    page.locator("a.import_link").click()
    page.wait_for_url("**/admin/members/member/import/")
    rules = page.locator(".import-columns").inner_text()
    assert "coopérative, mutuelle, association, société" in rules
    assert "«\u00a0Portneuf\u00a0»" in rules

    with page.expect_download() as downloading:
        page.locator("a[href$='/import/modele.csv']").click()
    download = downloading.value
    assert download.suggested_filename == "modele-membres.csv"
    header, example = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith("nom,forme_juridique,categorie,")
    assert ",Portneuf," in example

    # A file with one bad line: nothing is saved, the line and its reason are shown.
    wrong = tmp_path / "membres.csv"
    wrong.write_text(
        "\n".join([header, example, "Coop du Saguenay,coopérative,régulier,1990,Saguenay,urbain,,,,,,2016-2017"]),
        encoding="utf-8",
    )
    submit_file(page, wrong)
    errors = page.locator("table.import-errors")
    assert "Territoire inconnu «\u00a0Saguenay\u00a0»" in errors.inner_text()
    assert errors.locator("td").first.inner_text().strip() == "3"
    assert page_width(page) <= 1280
    assert Member.objects.count() == 0

    # The corrected file: a preview of both lines, then the import.
    right = tmp_path / "membres-corrige.csv"
    right.write_text(
        "\n".join([header, example, "Coop de Portneuf,coopérative,régulier,1990,portneuf,rural,,,,,,2016-2017"]),
        encoding="utf-8",
    )
    submit_file(page, right)
    preview = page.locator("table.import-preview")
    assert "Coop de Portneuf" in preview.inner_text()
    assert "2016-2017" in preview.inner_text()  # the adhesions column, filled in the preview
    assert page_width(page) <= 1280
    page.locator("input[name=confirm]").click()
    page.wait_for_url("**/admin/members/member/")
    assert "2\u00a0lignes ajoutées" in page.locator("ul.messagelist").inner_text()
    assert sorted(Member.objects.values_list("name", flat=True)) == [
        "Coop de Portneuf",
        "Coopérative de solidarité Exemple",
    ]
