"""Invoice numbers under concurrent renewals: real requests against gunicorn on PostgreSQL.

Representatives of many members click « Renouveler » at the same moment (a barrier
releases every thread's POST together), some twice at once, and a few belong to a
category the dues schedule has no amount for (their renewal is refused).
The invoices must then be numbered 1…N without a duplicate or a gap, one per member,
and the year's counter must stand at N. SQLite serialises writers anyway: PostgreSQL only.
"""

import json
import os
import re
import threading
import time

import httpx
import pytest
from django.db import connection

from performance import launcher

pytestmark = [pytest.mark.django_db]

MEMBERS = 24  # each renews once…
DOUBLE_CLICKS = 4  # …and the first four post twice at once
REFUSED = 2  # members of a category without dues: refused, and no number goes to them
WORKERS = 4
PASSWORD = "Numerotation-concurrente-2026"

SETUP = """
import datetime
from decimal import Decimal
from members.models import Contact, DuesRate, Member, Membership, RenewalCampaign, User
year = 2017
DuesRate.objects.create(fiscal_year=year, category="regular", amount=Decimal("160.00"))
RenewalCampaign.objects.create(fiscal_year=year, opened_on=datetime.date(2017, 4, 3))
for index in range({members}):
    category = "supplier" if index >= {members} - {refused} else "regular"
    member = Member.objects.create(name=f"Membre {{index:02d}}", category=category)
    Membership.objects.create(member=member, fiscal_year=year - 1)
    user = User.objects.create_user(email=f"rep{{index}}@exemple.org", password="{password}")
    Contact.objects.create(member=member, first_name="Rep", last_name=str(index), email=user.email, user=user)
"""

READ_BACK = """
import json
from members.models import DocumentCounter, Invoice, Membership
print("RESULT " + json.dumps({
    "invoices": list(Invoice.objects.filter(fiscal_year=2017, kind="invoice").values_list("number", "member__name")),
    "counter": list(DocumentCounter.objects.filter(fiscal_year=2017).values_list("kind", "last_number")),
    "memberships": Membership.objects.filter(fiscal_year=2017).count(),
}))
"""


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def log_in(client, email):
    page = client.get("/connexion/")
    response = client.post(
        "/connexion/",
        data={"csrfmiddlewaretoken": csrf_token(page.text), "username": email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text[:500]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
def test_concurrent_renewals_number_invoices_without_duplicate_or_gap(tmp_path):
    assert connection.vendor == "postgresql"
    database_url = os.environ["DATABASE_URL"].rstrip("/") + "_numbering"
    environment = launcher.server_environment(database_url=database_url, workdir=tmp_path, debug=True)
    launcher.create_database(database_url, replace=True)
    log_path = tmp_path / "server.log"
    try:
        with open(log_path, "w") as log:
            launcher.manage("migrate", "--noinput", environment=environment, log=log)
            setup = SETUP.format(members=MEMBERS, refused=REFUSED, password=PASSWORD)
            launcher.manage("shell", "-c", setup, environment=environment, log=log)
            port = launcher.free_port()
            base_url = f"http://127.0.0.1:{port}"
            server = launcher.start_gunicorn(port=port, workers=WORKERS, environment=environment, log=log)
            try:
                launcher.wait_until_serving(base_url, server)
                figures = renew_all_at_once(base_url)
            finally:
                launcher.stop(server)
            out = tmp_path / "read_back.log"
            with open(out, "w") as read_log:
                launcher.manage("shell", "-c", READ_BACK, environment=environment, log=read_log)
            result = json.loads(re.search(r"^RESULT (.*)$", out.read_text(), re.M)[1])
    finally:
        launcher.drop_database(database_url)

    issued = MEMBERS - REFUSED
    numbers = sorted(number for number, _name in result["invoices"])
    names = [name for _number, name in result["invoices"]]
    print(
        f"\n{figures['requests']} POSTs by {MEMBERS} representatives on {WORKERS} gunicorn workers in "
        f"{figures['seconds']:.2f} s, up to {figures['max_overlap']} in flight at once; statuses {figures['statuses']}; "
        f"{len(numbers)} invoices numbered {numbers[0]}–{numbers[-1]}, counter {result['counter']}"
    )
    assert figures["errors"] == [], figures["errors"]
    assert set(figures["statuses"]) <= {200, 302}
    assert numbers == list(range(1, issued + 1))  # no duplicate, no gap
    assert len(set(names)) == issued  # one invoice per member, double clicks included
    assert result["counter"] == [["invoice", issued]]
    assert result["memberships"] == issued
    assert figures["max_overlap"] > 1  # the requests did run at the same time


def renew_all_at_once(base_url):
    """Log every representative in, then release all their POSTs together; return the figures."""
    posts = [index for index in range(MEMBERS)] + list(range(DOUBLE_CLICKS))
    clients = {index: httpx.Client(base_url=base_url, timeout=120) for index in range(MEMBERS)}
    forms = {}
    for index, client in clients.items():
        log_in(client, f"rep{index}@exemple.org")
        page = client.get("/membre/renouveler/2017-2018/")
        forms[index] = csrf_token(page.text)
    barrier = threading.Barrier(len(posts))
    lock = threading.Lock()
    spans, statuses, errors = [], {}, []

    def post(index):
        # httpx clients are thread-safe; a double click shares its representative's session.
        barrier.wait()
        start = time.monotonic()
        try:
            response = clients[index].post(
                "/membre/renouveler/2017-2018/",
                data={"csrfmiddlewaretoken": forms[index], "confirm": "on"},
            )
        except httpx.HTTPError as error:
            with lock:
                errors.append(repr(error))
            return
        with lock:
            spans.append((start, time.monotonic()))
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                errors.append(f"{index}: {response.status_code}")

    threads = [threading.Thread(target=post, args=(index,)) for index in posts]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    for client in clients.values():
        client.close()
    events = sorted([(start, 1) for start, _end in spans] + [(end, -1) for _start, end in spans])
    overlap = max_overlap = 0
    for _moment, step in events:
        overlap += step
        max_overlap = max(max_overlap, overlap)
    return {
        "requests": len(posts),
        "seconds": seconds,
        "statuses": statuses,
        "errors": errors,
        "max_overlap": max_overlap,
    }
