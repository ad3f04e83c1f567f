"""The public site in Chromium at 1280 and 390 px: the report's fonts drawn, a home page without
holes, the published report inside the site's frame, sized to its content."""

import pytest

from conftest import DESKTOP, PHONE
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport
from reports.services import publish_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# For each card of the home page: the blank between its content and its button.
CARD_GAPS = """() => [...document.querySelectorAll('.home-card')].map(card => {
    const actions = card.querySelector('.home-actions');
    if (!actions) return 0;
    const above = [...actions.parentElement.children].filter(el => el !== actions && !el.contains(actions)
        && el.getBoundingClientRect().bottom <= actions.getBoundingClientRect().top + 1);
    const bottom = Math.max(...above.map(el => el.getBoundingClientRect().bottom));
    return Math.round(actions.getBoundingClientRect().top - bottom);
})"""


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.mark.parametrize(("viewport", "largest_gap"), [(DESKTOP, 90), (PHONE, 30)], ids=["1280px", "390px"])
def test_the_home_page_is_set_in_the_report_s_fonts_and_leaves_no_card_with_a_hole(
    e2e_demo, new_page, viewport, largest_gap
):
    page = new_page(viewport)
    page.goto("/")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Source Sans"')
    assert page.evaluate("getComputedStyle(document.querySelector('.home-lead')).fontFamily").startswith('"Source Serif"')
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert {"Source Sans", "Source Serif"} <= {family.strip('"') for family in loaded}
    gaps = page.evaluate(CARD_GAPS)
    assert len(gaps) == 5 and max(gaps) <= largest_gap, gaps
    assert not scrolls_sideways(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_published_report_reads_inside_the_site_with_its_menu_and_pdf(e2e_demo, new_page, viewport):
    publish_report(report=AnnualReport.objects.get(fiscal_year=FiscalYear(2016)))
    page = new_page(viewport)
    page.goto("/rapports/2016-2017/")
    frame = page.frame_locator("iframe.report-frame")
    frame.locator(".cover-title").wait_for()
    # The frame grows to its content: one page to scroll, nothing hidden inside the frame.
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe.report-frame');"
        " return f.getBoundingClientRect().height >= f.contentDocument.documentElement.scrollHeight - 1"
        " && f.contentDocument.documentElement.scrollHeight > 3000; }"
    )
    assert not scrolls_sideways(page)
    assert page.locator(".site-navbar").is_visible()
    pdf = page.get_by_role("link", name="Télécharger le PDF")
    assert pdf.get_attribute("href") == "/rapports/2016-2017.pdf"
    assert page.request.get("/rapports/2016-2017.pdf").headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="Rapports annuels").last.click()
    page.wait_for_url("**/rapports/")
