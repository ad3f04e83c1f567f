"""The hourly registration limit per address is counted under a lock (activities/registrations.py).

Read before the insert without a lock, 30 parallel registrations from one address saved 23
against a limit of 10. The count and the insert now happen while the address is held.
"""

import os
import threading

import pytest
from django.db import connection

from activities import registrations
from activities.models import Registration
from activities.registrations import RegistrationError, register
from activities.tests.factories import EventFactory

ADDRESS = "203.0.113.7"


@pytest.mark.django_db
def test_the_service_refuses_registrations_beyond_the_hourly_limit_in_french(settings):
    settings.POLE_REGISTRATION_LIMIT_PER_HOUR = 2
    events = [EventFactory(non_members_allowed=True) for _ in range(3)]
    for number, event in enumerate(events[:2]):
        register(activity=event, name="A", email=f"a{number}@exemple.org", client_address=ADDRESS)

    with pytest.raises(RegistrationError) as refused:
        register(activity=events[2], name="A", email="a9@exemple.org", client_address=ADDRESS)

    assert refused.value.status == 429
    assert str(refused.value) == "Trop d’inscriptions ont été envoyées depuis votre adresse dans la dernière heure\u00a0; réessayez plus tard."
    assert Registration.objects.count() == 2
    # Another address is not held back.
    register(activity=events[2], name="B", email="b@exemple.org", client_address="198.51.100.1")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_registrations_from_one_address_save_the_limit_and_no_more(settings):
    assert connection.vendor == "postgresql"
    settings.POLE_REGISTRATION_LIMIT_PER_HOUR = 10
    events = [EventFactory(non_members_allowed=True, capacity=100) for _ in range(3)]
    barrier = threading.Barrier(30)
    outcomes = []

    def one(number):
        try:
            barrier.wait()
            register(
                activity=events[number % 3], name=f"P{number}", email=f"p{number}@exemple.org", client_address=ADDRESS
            )
            outcomes.append("saved")
        except RegistrationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(number,)) for number in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Registration.objects.filter(client_address=ADDRESS).count() == 10
    assert sorted(outcomes) == ["refused"] * 20 + ["saved"] * 10


def test_the_limit_is_counted_inside_the_registration_not_before_it():
    # The view's early check is a shortcut; the service holds the address (no race between them).
    assert "_hold_address" in registrations.register.__code__.co_names
