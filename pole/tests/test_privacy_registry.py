"""The registry of personal information cannot drift from the models (pole/privacy.py)."""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from pole import privacy
from pole.fields import PhoneField


def test_every_field_that_looks_personal_is_registered_or_declared_not_personal():
    assert privacy.unregistered_fields() == []


def test_the_walk_covers_the_outbox_logins_registrations_client_addresses_and_invoices():
    for label, field in [
        ("pole.outboxmessage", "recipients"),
        ("pole.outboxmessage", "body"),
        ("axes.accessattempt", "ip_address"),
        ("axes.accesslog", "username"),
        ("activities.registration", "needs"),
        ("activities.registration", "client_address"),
        ("members.invoice", "member_name"),
        ("members.historicalcontact", "email"),
        ("sessions.session", "session_data"),
    ]:
        registered = privacy.entry(label, field)
        assert isinstance(registered, privacy.PersonalField), (label, field)


def test_every_registered_field_exists_on_its_model():
    for item in privacy.personal_fields():
        apps.get_model(item.model)._meta.get_field(item.field)


@isolate_apps("pole")
def test_a_new_personal_field_that_nobody_registers_is_caught():
    class Volunteer(models.Model):
        first_name = models.CharField(max_length=50)
        mobile = PhoneField(blank=True)
        home_address = models.TextField(blank=True)
        portrait = models.ImageField(blank=True)
        allergies_notes = models.TextField(blank=True)
        shifts = models.PositiveIntegerField(default=0)

        class Meta:
            app_label = "pole"

        def __str__(self):
            return self.first_name

    missing = privacy.unregistered_fields(models_=[Volunteer])
    assert missing == [
        "pole.volunteer.first_name",
        "pole.volunteer.mobile",
        "pole.volunteer.home_address",
        "pole.volunteer.portrait",
        "pole.volunteer.allergies_notes",
    ]


def test_registering_an_unknown_audience_or_category_is_refused():
    with pytest.raises(ValueError):
        privacy.register("pole.outboxmessage", ["body"], category="secrets", purpose="", seen_by="staff", retention="")
    with pytest.raises(ValueError):
        privacy.register("pole.outboxmessage", ["body"], category="contact", purpose="", seen_by="everyone", retention="")


def test_the_daily_task_runs_the_retention_command(db):
    from pole.tasks import run_daily_command

    assert run_daily_command("apply_retention", "--dry-run") == "done"
