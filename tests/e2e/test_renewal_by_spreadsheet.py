"""Personnel renews two members by spreadsheet, in a real headless Chromium (issue 21's journey).

From the template, one row per renewing member with ``nom``, ``forme_juridique``,
``categorie`` and ``adhesions=2017-2018``, every other column blank. The preview says in
words what changes (only the new year), confirming adds it, and nothing else moves: every
other column, every earlier membership, every invoice and payment, the 2016-2017 figures.
A second file clearing a territory with ``(vide)`` shows the warning box, and is not confirmed.
"""

import csv
import io
from pathlib import Path

import pytest

from conftest import E2E_PASSWORD, admin_log_in
from members.billing.models import Invoice, Payment
from members.models import Member, Membership
from members.resources import CATEGORIES, LEGAL_FORMS
from pole.fiscal_years import FiscalYear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTES = Path("/work/notes/21")

# Whether any word of the preview's table is cut across two lines (a mid-word break).
WORDS_BROKEN = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("table.import-changes"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


@pytest.fixture
def demo_before_renewals(transactional_db):
    """The demo's 2016-2017, without its 2017-2018 campaign: the renewals are this test's to make."""
    from demo.loader import load_demo

    load_demo(password=E2E_PASSWORD, campaign=False)


def money_and_history():
    return (
        sorted(Invoice.objects.values_list("pk", "member_id", "fiscal_year", "total")),
        sorted(Payment.objects.values_list("pk", "invoice_id", "amount", "paid_on")),
        sorted(
            Membership.objects.exclude(fiscal_year=FiscalYear(2017)).values_list(
                "pk", "member_id", "fiscal_year", "dues", "paid_on"
            )
        ),
    )


def member_columns():
    return {
        member.pk: (
            member.name, member.legal_form, member.category, member.founding_year, member.territory_id,
            member.setting, member.sector_id, member.email, member.phone, member.website, member.address,
        )
        for member in Member.objects.all()
    }


def upload(page, path):
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    page.locator("form input[type=submit]").click()
    page.wait_for_selector("h2:has-text('Aperçu'), table.import-errors")


def test_renewing_two_members_by_spreadsheet_adds_the_year_and_nothing_else(
    demo_before_renewals, new_page, tmp_path
):
    from reports.statistics import year_figures

    renewing = list(
        Member.objects.filter(memberships__fiscal_year=FiscalYear(2016), invoices__payments__isnull=False)
        .exclude(founding_year=None)
        .exclude(territory=None)
        .exclude(sector=None)
        .distinct()
        .order_by("name")[:2]
    )
    assert len(renewing) == 2
    before = money_and_history()
    columns = member_columns()
    figures = year_figures(FiscalYear(2016))

    page = new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    admin_log_in(page, "personnel@exemple.org")
    page.goto("/admin/members/member/import/")
    rules = page.locator(".import-rules").inner_text()
    assert "une cellule vide laisse la valeur enregistrée telle quelle" in rules
    assert "Un import ne retire jamais d’adhésion" in rules

    with page.expect_download() as downloading:
        page.locator("a[href$='/import/modele.csv']").click()
    header = Path(downloading.value.path()).read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    renewal = tmp_path / "renouvellements.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for member in renewing:
        writer.writerow(
            {
                "nom": member.name,
                "forme_juridique": LEGAL_FORMS[member.legal_form],
                "categorie": CATEGORIES[member.category],
                "adhesions": "2017-2018",
            }
        )
    renewal.write_text(buffer.getvalue(), encoding="utf-8")

    upload(page, renewal)
    counts = page.locator(".import-counts").inner_text()
    assert counts == (
        "0\u00a0membre ajouté, 2\u00a0membres modifiés, 0\u00a0ligne inchangée, "
        "2\u00a0adhésions ajoutées, 0\u00a0adhésion retirée."
    )
    assert page.locator(".import-warnings").count() == 0
    rows = page.locator("table.import-changes tbody tr")
    assert rows.count() == 2
    for index, member in enumerate(renewing):
        row = rows.nth(index)
        assert row.locator("th").inner_text() == member.name
        assert row.locator(".import-row-changes li").all_inner_texts() == ["Adhésions\u00a0: +\u00a02017-2018"]
    assert page.evaluate(WORDS_BROKEN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    NOTES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(NOTES / "renewal-preview.png"), full_page=True)

    page.locator("input[name=confirm]").click()
    page.wait_for_url("**/admin/members/member/")
    assert "2\u00a0lignes modifiées" in page.locator("ul.messagelist").inner_text()

    renewed = Membership.objects.filter(fiscal_year=FiscalYear(2017))
    assert sorted(renewed.values_list("member_id", flat=True)) == sorted(member.pk for member in renewing)
    assert money_and_history() == before
    assert member_columns() == columns
    assert year_figures(FiscalYear(2016)) == figures

    # A file that clears a value says so in a box before anything is saved.
    clearing = tmp_path / "effacer.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    member = renewing[0]
    writer.writerow(
        {
            "nom": member.name,
            "forme_juridique": LEGAL_FORMS[member.legal_form],
            "categorie": CATEGORIES[member.category],
            "territoire": "(vide)",
        }
    )
    clearing.write_text(buffer.getvalue(), encoding="utf-8")
    page.goto("/admin/members/member/import/")
    upload(page, clearing)
    warning = page.locator(".import-warnings").inner_text()
    assert "Vérifiez avant de confirmer\u00a0: ce fichier efface ou retire des valeurs enregistrées." in warning
    assert f"Ligne 2, {member.name} — Territoire\u00a0: {member.territory.name} \u2192 (vide)" in warning
    assert "1\u00a0valeur effacée" in page.locator(".import-counts").inner_text()
    assert page.locator(".import-row-changes li.clears .import-tag").inner_text() == "effacé"
    page.screenshot(path=str(NOTES / "clearing-preview.png"), full_page=True)
    assert problems == []
    assert member_columns() == columns
