"""The admin in French: a model named with its article (« Ajouter une activité », « Modifier
l’identité du réseau »), selections without a gender assumed, a history without « None »."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from activities.tests.factories import ActivityFactory
from members.models import Member
from members.tests.factories import MemberFactory
from pole.french import DEFINITE, INDEFINITE, noun_with_article
from pole.models import NetworkIdentity

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_every_model_of_the_admin_has_its_french_nouns_with_their_articles():
    """A model added to the admin needs « msgctxt "definite article" » and « "indefinite article" »
    entries in locale/fr (pole/french.py); this lists the ones missing."""
    missing = []
    with translation.override("fr-ca"):
        for model in admin.site._registry:
            opts = model._meta
            for article in (DEFINITE, INDEFINITE):
                if translation.pgettext(article, opts.verbose_name_raw) == opts.verbose_name_raw:
                    missing.append(f'msgctxt "{article}"\nmsgid "{opts.verbose_name_raw}"\nmsgstr "…"')
    assert missing == [], "Add to locale/fr/LC_MESSAGES/django.po:\n\n" + "\n\n".join(missing)


def test_nouns_take_their_article_and_english_keeps_the_bare_name():
    with translation.override("fr-ca"):
        assert noun_with_article(NetworkIdentity._meta, DEFINITE) == "l’identité du réseau"
        assert noun_with_article(Member._meta, INDEFINITE) == "un membre"
    with translation.override("en"):
        assert noun_with_article(NetworkIdentity._meta, DEFINITE) == "network identity"


def title_of(html):
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def test_add_and_change_pages_name_the_model_with_its_article(direction_client):
    activity = ActivityFactory()
    add = direction_client.get(reverse("admin:activities_activity_add")).content.decode()
    assert title_of(add) == "Ajouter une activité"
    assert "Ajout de activité" not in add and "&rsaquo; Ajouter une activité" in add
    change = direction_client.get(reverse("admin:activities_activity_change", args=[activity.pk])).content.decode()
    assert title_of(change) == "Modifier l’activité"
    identity = NetworkIdentity.objects.create(name="Réseau", short_name="R")
    page = direction_client.get(reverse("admin:pole_networkidentity_change", args=[identity.pk])).content.decode()
    assert title_of(page) == "Modifier l’identité du réseau"
    listing = direction_client.get(reverse("admin:activities_activity_changelist")).content.decode()
    assert "Ajouter une activité" in listing and "Ajouter activité" not in listing


def test_a_read_only_page_says_so_with_the_article(personnel_client):
    identity = NetworkIdentity.objects.create(name="Réseau", short_name="R")
    page = personnel_client.get(reverse("admin:pole_networkidentity_change", args=[identity.pk])).content.decode()
    assert title_of(page) == "Consulter l’identité du réseau"


def test_the_delete_action_assumes_no_gender(direction_client):
    ActivityFactory()
    page = direction_client.get(reverse("admin:activities_activity_changelist")).content.decode()
    assert "Supprimer la sélection (activités)" in page
    assert "sélectionnés" not in page


def test_the_admin_index_says_nothing_yet_without_aucun_e(direction_client):
    page = direction_client.get(reverse("admin:index")).content.decode()
    assert "Aucun(e)" not in page


def test_a_member_s_history_shows_an_empty_value_in_words(direction_client):
    member = MemberFactory(website="")
    member.website = "https://exemple.org"
    member.save()
    page = direction_client.get(reverse("admin:members_member_history", args=[member.pk])).content.decode()
    assert "None" not in re.sub(r"<[^>]+>", "", page)
    assert f"Site Web{NBSP}:" in page and "(vide)" in page
