"""The demo's snapshot for browser tests gives back the very database the loader wrote."""

import time

import pytest
from django.apps import apps
from django.core.management import call_command

from conftest import E2E_PASSWORD
from demo.loader import load_demo
from members.models import Member, User
from pole.tests import db_snapshot
from reports.statistics import year_figures

pytestmark = pytest.mark.django_db(transaction=True)


def contents():
    """Every model's rows, as values, by model."""
    return {
        model._meta.label: sorted(map(repr, model._default_manager.values_list()))
        for model in apps.get_models(include_auto_created=True)
    }


def test_a_restored_snapshot_is_the_loaded_demo_to_the_primary_key():
    started = time.perf_counter()
    load_demo(password=E2E_PASSWORD)
    loading = time.perf_counter() - started
    loaded = contents()
    snapshot = db_snapshot.take()
    assert snapshot.row_count > 1000
    figures = year_figures("2016-2017")

    call_command("flush", interactive=False, verbosity=0)  # as after a browser test
    assert not Member.objects.exists()
    started = time.perf_counter()
    db_snapshot.restore(snapshot)
    restoring = time.perf_counter() - started

    assert contents() == loaded
    assert year_figures("2016-2017") == figures
    assert User.objects.get(email="direction@exemple.org").check_password(E2E_PASSWORD)
    # New rows take new keys: the sequences follow the restored ones.
    member = Member.objects.create(name="Coop ajoutée après la restauration", legal_form="coop")
    assert member.pk > max(Member.objects.exclude(pk=member.pk).values_list("pk", flat=True))
    print(f"demo loaded in {loading:.2f} s, restored in {restoring:.2f} s ({snapshot.row_count} rows)")
