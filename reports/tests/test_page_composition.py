"""Page composition, measured on the PDF (reports/page_fill.py, ``report_pages``): no inner page
more than half empty but a chapter's last, no short chapter alone on a page when it fits under
the page before, no list continued without « (suite) », no widow nor orphan line, no more than
two hyphenated line ends in a row, no objective left out of the chart without a word — on the
demo (2016-2017) and on 2017-2018 while it runs.

Each rule is first shown to catch what it forbids, on a small PDF made to break it.
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from weasyprint import HTML

from activities.models import Objective
from activities.tests.factories import ActivityFactory
from demo import data as demo_data
from demo.loader import load_demo
from pole.fiscal_years import FiscalYear
from reports import pdf
from reports.page_fill import check_pdf, format_table, format_violations, read_text_layout
from reports.tests.factories import AnnualReportFactory, ReportMessageFactory

# The demo's render is shared with the other report modules (conftest.py's ``demo_report``).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("demo-report")]

YEAR = FiscalYear(2017)


def explain(composition):
    return format_table(composition.pages) + "\n" + format_violations(composition.violations)


# --- Each rule catches what it forbids ------------------------------------------------------------

# The report's page (report-print.css): US letter, the same margins, so its text area is measured.
PAGE = "@page { size: letter; margin: 0.75in 0.85in 0.85in; } body { margin: 0; font-size: 12px; }"
# The text area's height in CSS pixels: 11in less 0.75in and 0.85in.
AREA = (11 - 0.75 - 0.85) * 96


def composition(tmp_path, body, css=""):
    path = tmp_path / "page.pdf"
    HTML(string=f'<html lang="fr"><style>{PAGE}{css}</style><body>{body}</body></html>').write_pdf(path)
    return check_pdf(path)


def rules(found):
    return sorted({violation.rule for violation in found.violations})


def filler(lines=40):
    return "".join(f"<p>Ligne de remplissage numéro {n}.</p>" for n in range(lines))


def test_a_page_more_than_half_empty_is_caught_unless_it_ends_a_chapter(tmp_path):
    short_page = f'<div id="chapter-a">{filler(45)}</div><p>Trois lignes.</p><div style="break-before: page">{filler(45)}</div>'
    found = composition(tmp_path, short_page)
    assert [(v.rule, v.page) for v in found.violations] == [("half-empty", 2)], explain(found)
    # The same page closing a chapter (the next page opens one) may be light.
    chapter_end = short_page.replace('<div style="break-before: page">', '<div id="chapter-b" style="break-before: page">')
    assert composition(tmp_path, chapter_end).violations == []


def test_a_short_chapter_alone_on_a_page_it_would_share_with_the_page_before_is_caught(tmp_path):
    chapters = (
        f'<div id="chapter-a">{filler(12)}</div><div id="chapter-b" style="break-before: page">{filler(8)}</div>'
        f'<div id="chapter-c" style="break-before: page">{filler(45)}</div>'
    )
    found = composition(tmp_path, chapters)
    assert [(v.rule, v.page) for v in found.violations] == [("lone-chapter", 2)], explain(found)
    # Following the page before it (as reports/pdf.py lets it), it breaks no rule.
    flowing = chapters.replace('<div id="chapter-b" style="break-before: page">', '<div id="b" style="margin-top: 26pt">')
    assert composition(tmp_path, flowing).violations == []


LIST = '<h2>Liste</h2><ul id="list-names">{}</ul><div id="list-names-end"></div>'.format(
    "".join(f"<li>Nom {n}</li>" for n in range(70))
)


def test_a_list_continued_on_the_next_page_without_suite_is_caught(tmp_path):
    found = composition(tmp_path, LIST)
    assert [(v.rule, v.page) for v in found.violations] == [("continuation", 2)], explain(found)
    # As the report does it: the heading sets the running head, the list's end clears it.
    running_head = (
        "h2 { string-set: head 'Liste (suite)'; } #list-names-end { string-set: head ''; }"
        "@page { @top-left { content: string(head, start); } }"
    )
    assert composition(tmp_path, LIST, running_head).violations == []


# Six short lines of one paragraph, each running into the next (lower case, no stop).
PARAGRAPH = "<p>" + "<br>".join(f"une ligne du même paragraphe qui continue {n}" for n in range(6)) + "</p>"
LINES = "p { margin: 0; line-height: 20px; } .block { background: #8899aa; }"


def test_a_single_line_left_at_the_foot_of_a_page_is_caught(tmp_path):
    body = f'<div class="block" style="height: {AREA - 25}px"></div>{PARAGRAPH}'
    found = composition(tmp_path, body, LINES + "p { orphans: 1; }")
    assert [(v.rule, v.page) for v in found.violations] == [("orphan", 1)], explain(found)
    assert composition(tmp_path, body, LINES + "p { orphans: 2; }").violations == []


def test_a_single_line_carried_to_the_head_of_a_page_is_caught(tmp_path):
    body = f'<div class="block" style="height: {AREA - 5 * 20 - 5}px"></div>{PARAGRAPH}'
    found = composition(tmp_path, body, LINES + "p { widows: 1; }")
    assert [(v.rule, v.page) for v in found.violations] == [("widow", 2)], explain(found)
    assert composition(tmp_path, body, LINES + "p { widows: 2; }").violations == []


def test_three_hyphenated_line_ends_in_a_row_are_caught_two_are_not(tmp_path):
    # Monospaced, six characters wide: each four-letter syllable ends its line with a hyphen.
    css = "p { font-family: monospace; width: 6ch; hyphens: manual; hyphenate-character: '-'; }"
    found = composition(tmp_path, f"{filler(3)}<p>aaaa&shy;bbbb&shy;cccc&shy;dddd</p>", css)
    assert [v.rule for v in found.violations] == ["hyphens"], explain(found)
    assert "aaaa- / bbbb- / cccc-" in found.violations[0].detail
    assert composition(tmp_path, f"{filler(3)}<p>aaaa&shy;bbbb&shy;cccc dddd</p>", css).violations == []


CHART = (
    "<p>OBJECTIF STRATÉGIQUE 1</p><h1>Consolidation</h1><p>OBJECTIF STRATÉGIQUE 2</p><h1>Compétences</h1>"
    '<div style="margin-left: 3in"><h3 style="margin-bottom: 4px">Participants par objectif</h3>'
    '<p style="margin: 0">Consolidation</p></div>'
)


def test_an_objective_left_out_of_the_chart_without_a_word_is_caught(tmp_path):
    found = composition(tmp_path, CHART)
    assert [str(v) for v in found.violations] == [
        "page 1: chart: objective 2 (Compétences) is not in the chart and no note says why"
    ], explain(found)
    note = "<p>L’objectif 2 (Compétences) ne figure pas au graphique : aucune activité n’y est consignée.</p>"
    assert composition(tmp_path, CHART + note).violations == []


def test_report_pages_prints_each_violation_and_exits_with_status_1(tmp_path, capsys):
    path = tmp_path / "liste.pdf"
    HTML(string=f"<html><style>{PAGE}</style><body>{LIST}</body></html>").write_pdf(path)
    with pytest.raises(CommandError) as failed:
        call_command("report_pages", pdf=str(path))
    assert failed.value.returncode == 1
    assert "page 2: continuation: the list list-names runs on from page 1" in capsys.readouterr().out


# --- The demo and 2017-2018 -------------------------------------------------------------------


def test_the_demo_breaks_no_composition_rule(demo_report, capsys):
    found = check_pdf(demo_report["pdf_path"])
    assert found.violations == [], explain(found)
    # The command says the same, with its status 0.
    call_command("report_pages", pdf=str(demo_report["pdf_path"]))
    assert capsys.readouterr().out.rstrip().endswith("No composition rule broken.")


@pytest.fixture(scope="module")
def year_in_progress(django_db_setup, django_db_blocker, tmp_path_factory):
    """2017-2018 in the demo, while it runs: its renewal campaign open (a few members renewed),
    one activity entered under the first objective and nothing under the four others, two staff
    and no board recorded yet. Rendered once for the module, then rolled back."""
    folder = tmp_path_factory.mktemp("report-2017-2018")
    with override_settings(MEDIA_ROOT=folder / "media"), django_db_blocker.unblock():
        with transaction.atomic():
            load_demo()
            first = Objective.objects.order_by("order").first()
            ActivityFactory(start_date=datetime.date(2017, 5, 11), title="Formation en gestion financière",
                            objectives=[first], participants=14)
            with translation.override("fr-ca"):
                path = folder / "rapport-2017-2018.pdf"
                path.write_bytes(pdf.render_report_pdf(YEAR, use_cache=False))
            transaction.set_rollback(True)
    return path


def test_2017_2018_while_it_runs_breaks_no_composition_rule(year_in_progress):
    found = check_pdf(year_in_progress)
    assert found.violations == [], explain(found)


def test_2017_2018_governance_shares_the_last_objective_s_page_instead_of_standing_alone(year_in_progress):
    pages = [" ".join(p.text for p in page.paragraphs) for page in read_text_layout(year_in_progress)]
    governance = [number for number, text in enumerate(pages, start=1) if "GOUVERNANCE" in text]
    assert len(governance) == 1
    assert "OBJECTIF STRATÉGIQUE 5" in pages[governance[0] - 1]
    # Its page is the last before the back cover, and the chart says why four objectives have no bar.
    assert governance[0] == len(pages) - 1
    assert "Les objectifs 2 (Renforcer les compétences), 3 (" in " ".join(pages)


# --- Hyphenation: what WeasyPrint cannot be told, the layout is read for ----------------------

# A narrower measure and hyphenation at every syllable: the demo's message then ends three lines in
# a row with a hyphen, several times.
LADDERS = ".text { max-width: 2.6in; } .text p { hyphenate-limit-chars: 4 1 1; }"


def test_a_paragraph_ending_three_lines_in_a_row_with_a_hyphen_is_set_again_without(monkeypatch, tmp_path):
    report = AnnualReportFactory(fiscal_year=YEAR)
    ReportMessageFactory(report=report, title="Un message", body=demo_data.PRESIDENTS_MESSAGE["body"])
    page_css = pdf.page_css
    monkeypatch.setattr(pdf, "page_css", lambda context: page_css(context) + LADDERS)
    with translation.override("fr-ca"):
        context = pdf.build_report_context(YEAR)
        html = pdf.render_report_html(context, for_print=True, stylesheets_given=True)
        first_layout = pdf._layout(html, pdf.print_resources(), {"page_css": pdf.page_css(context)})
        assert pdf.hyphen_ladders(first_layout)  # the layout WeasyPrint gives has ladders
        path = tmp_path / "rapport.pdf"
        first_layout.write_pdf(path)
        assert "hyphens" in rules(check_pdf(path))  # and the PDF check sees them
        path.write_bytes(pdf.render_report_pdf(YEAR, use_cache=False))
    found = check_pdf(path)
    assert "hyphens" not in rules(found), explain(found)


def test_a_board_and_a_partner_list_running_onto_the_next_page_say_suite_there(tmp_path):
    from activities.tests.factories import ObjectiveFactory
    from members.tests.factories import BoardMandateFactory
    from partners.tests.factories import PartnershipFactory

    ObjectiveFactory(name="Consolidation du Pôle", order=1)
    BoardMandateFactory.create_batch(60)
    PartnershipFactory.create_batch(120, fiscal_year=YEAR)
    path = tmp_path / "rapport.pdf"
    with translation.override("fr-ca"):
        path.write_bytes(pdf.render_report_pdf(YEAR, use_cache=False))
    found = check_pdf(path)
    assert not [v for v in found.violations if v.rule == "continuation"], explain(found)
    heads = [page.head() for page in read_text_layout(path)]
    assert any("Conseil d’administration (suite)" in head for head in heads), heads
    assert any("Partenaires publics (suite)" in head for head in heads), heads
