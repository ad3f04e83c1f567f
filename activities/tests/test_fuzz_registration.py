"""Fuzzed input to the registration and walk-in forms: a French error or a saved row, never a crash."""

import pytest
from django.db import transaction
from hypothesis import given

from activities.forms import RegistrationForm, WalkInForm
from activities.models import Registration
from activities.tests.factories import EventFactory
from members.tests.factories import MemberFactory
from members.tests.test_fuzz_forms import FUZZ, form_data

pytestmark = pytest.mark.slow


@pytest.fixture
def event(db):
    MemberFactory(name="Coopérative du Rucher")
    return EventFactory()


def in_rollback(check):
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@FUZZ
@given(data=form_data(["name", "email", "member", "organisation", "phone", "needs", "site_web"]))
def test_registration_form_validates_or_saves_anything(event, data):
    def check():
        form = RegistrationForm(data=data, activity=event)
        if form.is_valid():
            form.instance.activity = event
            registration = form.save()
            registration.refresh_from_db()
            assert registration.name == form.cleaned_data["name"]
        else:
            assert form.errors and not Registration.objects.exists()

    in_rollback(check)


@FUZZ
@given(data=form_data(["walkin-name", "walkin-email", "walkin-member", "walkin-organisation", "walkin-phone"]))
def test_walk_in_form_validates_or_saves_anything(event, data):
    def check():
        form = WalkInForm(data=data, prefix="walkin")
        if form.is_valid():
            form.instance.activity = event
            form.save()
        else:
            assert form.errors and not Registration.objects.exists()

    in_rollback(check)
