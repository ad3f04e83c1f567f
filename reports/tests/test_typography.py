"""French typography of the report: typographic apostrophes and no-break spaces, in French only."""

import datetime

import pytest
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from activities.tests.factories import ActivityFactory, ObjectiveFactory, ProjectFactory, ProjectYearFactory
from pole.fiscal_years import FiscalYear
from reports.pdf import render_report_html
from reports.report import build_report_context
from reports.tests.factories import ReportMessageFactory, SignatoryFactory
from reports.typography import french_typography

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


# --- the function --------------------------------------------------------------------------


def test_apostrophe_between_letters_becomes_typographic():
    assert french_typography("L'année d'affaires, aujourd'hui à L'Île-d'Orléans") == (
        "L’année d’affaires, aujourd’hui à L’Île-d’Orléans"
    )


def test_quotes_that_are_not_apostrophes_stay_straight():
    assert french_typography("le mot 'clé' et les années '90") == "le mot 'clé' et les années '90"


def test_typed_space_before_a_sign_becomes_no_break():
    assert french_typography("Bilan : bon ; oui ! vrai ?") == f"Bilan{NBSP}: bon{NBSP}; oui{NBSP}! vrai{NBSP}?"


def test_no_space_is_added_before_semicolon_exclamation_or_question_mark():
    # Québec usage writes them without a space; what the writer typed is kept.
    assert french_typography("Bravo! Vraiment? Oui; non") == "Bravo! Vraiment? Oui; non"


def test_no_break_space_is_added_before_a_colon_after_a_word():
    assert french_typography("Objectif: croître") == f"Objectif{NBSP}: croître"
    assert french_typography("En 2016: 35 membres") == f"En 2016{NBSP}: 35{NBSP}membres"
    assert french_typography("à 8:30 précises") == "à 8:30 précises"


def test_percent_sign_takes_a_no_break_space():
    for typed in ("35%", "35 %", f"35{NARROW_NBSP}%", f"35{NBSP}%"):
        assert french_typography(f"soit {typed} de plus") == f"soit 35{NBSP}% de plus", typed
    assert french_typography("le signe % seul") == "le signe % seul"  # no number, no percentage


def test_guillemets_hold_no_break_spaces():
    for typed in ("«texte»", "« texte »", f"«{NARROW_NBSP}texte{NARROW_NBSP}»"):
        assert french_typography(f"le mot {typed}.") == f"le mot «{NBSP}texte{NBSP}».", typed


def test_narrow_no_break_spaces_become_no_break_spaces():
    # Source Serif Pro has no U+202F: it would print in another font.
    assert french_typography(f"1{NARROW_NBSP}650 personnes{NARROW_NBSP}!") == f"1{NBSP}650{NBSP}personnes{NBSP}!"


def test_numbers_with_their_own_no_break_spaces_keep_them_and_their_noun():
    assert french_typography(f"1{NBSP}650 participants, 15{NBSP}000 personnes") == (
        f"1{NBSP}650{NBSP}participants, 15{NBSP}000{NBSP}personnes"
    )


def test_a_count_stays_on_the_line_of_the_word_it_counts_but_a_year_does_not_hold_its_neighbour():
    assert french_typography("Au total, 450 personnes se sont déplacées") == f"Au total, 450{NBSP}personnes se sont déplacées"
    assert french_typography("En 2016 le Pôle a tenu 26 activités") == f"En 2016 le Pôle a tenu 26{NBSP}activités"
    assert french_typography("de 10-12 personnes, version 2.0 de") == "de 10-12 personnes, version 2.0 de"


def test_addresses_are_left_as_they_are():
    text = "Voir https://exemple.org/l'a?x=1 : écrire à l'équipe, info@exemple.org ! ou www.pole.qc.ca/a'b ; /media/l'x.jpg"
    assert french_typography(text) == (
        f"Voir https://exemple.org/l'a?x=1{NBSP}: écrire à l’équipe, info@exemple.org{NBSP}! "
        f"ou www.pole.qc.ca/a'b{NBSP}; /media/l'x.jpg"
    )


def test_html_changes_only_the_text_between_tags_and_in_text_attributes():
    markup = mark_safe(
        '<p title="l\'a : b">L&#x27;année : <a href="/x?a=1&amp;b=2">l&#x27;aide</a> &amp; plus</p>'
        "<style>a:hover { content: \"l'a ?\"; }</style><!-- l'a : b -->"
    )
    result = french_typography(markup)
    assert isinstance(result, SafeData)
    assert result == (
        f'<p title="l’a{NBSP}: b">L’année{NBSP}: <a href="/x?a=1&amp;b=2">l’aide</a> &amp; plus</p>'
        "<style>a:hover { content: \"l'a ?\"; }</style><!-- l'a : b -->"
    )


def test_plain_text_stays_plain_text_to_be_escaped():
    result = french_typography("<b>l'a</b>")
    assert result == "<b>l’a</b>"
    assert not isinstance(result, SafeData)


TYPED = st.text(alphabet="al'é :;!?%«»1 /.@\u00a0\u202f-", max_size=40)


@given(TYPED)
def test_applying_twice_changes_nothing_more(text):
    once = french_typography(text)
    assert french_typography(once) == once


@given(TYPED)
def test_only_spaces_and_apostrophes_change(text):
    result = french_typography(text)
    significant = lambda s: s.replace("\u2019", "'").translate({0x20: None, 0xA0: None, 0x202F: None})  # noqa: E731
    assert significant(result) == significant(text)


# --- text attributes --------------------------------------------------------------------


def test_the_text_attributes_of_html_are_typeset_and_the_others_left_alone():
    markup = mark_safe(
        '<img src="/media/l\'image.png" alt="L\'équipe d\'Alma : 35 %" data-x="l\'autre">'
        '<meta name="description" content="Rapport d\'activités"><p title="d\'abord">l\'année</p>'
    )
    assert str(french_typography(markup)) == (
        f'<img src="/media/l\'image.png" alt="L’équipe d’Alma{NBSP}: 35{NBSP}%" data-x="l\'autre">'
        '<meta name="description" content="Rapport d’activités"><p title="d’abord">l’année</p>'
    )


# --- the report ------------------------------------------------------------------------------


@pytest.fixture
def typed_year(db):
    """A year whose texts are typed with straight apostrophes and plain spaces."""
    objective = ObjectiveFactory(name="Renforcer l'économie sociale")
    ActivityFactory(
        title="Rencontre d'affaires",
        start_date=datetime.date(2016, 5, 3),
        objectives=[objective],
        place="L'Ange-Gardien",
    )
    project = ProjectFactory(objective=objective, title="Cohorte d'entreprises", first_fiscal_year=FiscalYear(2015))
    ProjectYearFactory(project=project, fiscal_year=FiscalYear(2016), body="Bilan : 35% d'entreprises «satisfaites» !")
    message = ReportMessageFactory(
        report__fiscal_year=FiscalYear(2016), heading="", title="L'année d'un pari", body="Merci à l'équipe !"
    )
    SignatoryFactory(message=message, name="Marie D'Amours", role="coprésidente")
    return FiscalYear(2016)


def test_the_report_page_prints_the_data_in_french_typography(typed_year):
    """The context keeps what staff typed; the page (screen, print, standalone) is set in French."""
    with translation.override("fr-ca"):
        context = build_report_context(typed_year)
        html = render_report_html(context, for_print=True, stylesheets_given=True)
    assert context["messages"][0]["title"] == "L'année d'un pari"  # data, as typed
    for printed in (
        "L’année d’un pari",
        f"Merci à l’équipe{NBSP}!",
        "Marie D’Amours",
        "Rencontre d’affaires",
        f"Bilan{NBSP}: 35{NBSP}% d’entreprises «{NBSP}satisfaites{NBSP}»{NBSP}!",
        "Pôle des entreprises d’économie sociale de la région de la Capitale-Nationale",
    ):
        assert printed in html, printed
    assert "<title>Rapport annuel" in html and "d’économie" in html.split("</title>")[0]


def test_the_report_page_in_english_keeps_what_was_typed(typed_year):
    with translation.override("en"):
        html = render_report_html(build_report_context(typed_year), for_print=True, stylesheets_given=True)
    assert "L&#x27;année d&#x27;un pari" in html
    assert "Rencontre d&#x27;affaires" in html


def test_report_page_sets_template_words_and_model_names_in_french_typography(typed_year):
    with translation.override("fr-ca"):
        html = render_report_html(build_report_context(typed_year), for_print=True, stylesheets_given=True)
    assert "Activités de l’année répondant à cet objectif" in html  # the template's own words, translated
    assert f"3{NBSP}mai 2016</span>{NBSP}: Rencontre d’affaires" in html  # the template's « : » after a date
    assert "<h1>Renforcer l’économie sociale</h1>" in html  # an objective's name, a model field
    assert "&#x27;" not in html.split("<main", 1)[1]


def test_report_page_in_english_keeps_plain_spaces(typed_year):
    with translation.override("en"):
        html = render_report_html(build_report_context(typed_year), for_print=True, stylesheets_given=True)
    assert "<h1>Renforcer l&#x27;économie sociale</h1>" in html
    assert "May 3, 2016</span> : Rencontre d&#x27;affaires" in html
    assert NBSP + ":" not in html
