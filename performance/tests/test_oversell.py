"""200 people register at once for an event's last 20 seats, through gunicorn on PostgreSQL.

Real concurrent requests (threads posting together after a barrier) against gunicorn with
4 workers × 8 threads, on a database of its own. They are visitors: exactly 20 registrations hold
a seat while they wait for their e-mailed links; then all 200 confirm at once: exactly 20 get a
seat, the others wait.
"""

import os

import pytest

from performance import oversell

DATABASE_URL = os.environ.get("DATABASE_URL", "")

postgresql_only = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="the oversell test runs on PostgreSQL (DATABASE_URL=postgres://…); SQLite takes one writer at a time",
)


@postgresql_only
def test_two_hundred_concurrent_registrations_for_the_last_twenty_seats_oversell_nothing(tmp_path):
    figures, problems = oversell.run(
        database_url=oversell.oversell_database_url(DATABASE_URL),
        workdir=tmp_path,
        people=200,
        capacity=50,
        free=20,
        workers=4,
        threads=8,
        out=print,
    )
    print(figures)
    assert problems == []
    assert figures["posts_answered_302"] == 400  # 200 registrations, then 200 confirmations
    assert figures["seats_held"] == 20
    assert (figures["confirmed"], figures["waiting"]) == (50, 180)  # 30 taken before + the last 20; 180 wait


def test_check_finds_an_oversold_event():
    results = [{"status": 302, "seconds": 0.1} for _ in range(3)]
    stored = {"confirmed": 3, "waiting": 0, "emails": ["a", "b", "c"], "distinct_emails": 3, "total": 3}
    figures, problems = oversell.check(capacity=2, free=2, people=3, results=results, stored=stored)
    assert "OVERSOLD" in problems and figures["confirmed"] == 3
