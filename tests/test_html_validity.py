"""Every public and portal page is valid HTML, as the Nu HTML checker (the W3C's validator) reads it.

The checker is ``vnu-jar`` from npm, run with the machine's Java: `.ci/run` installs it in
``.cache/vnu/`` (never committed), and this test does the same when it is missing. Without
Java or npm the test is skipped on a developer's machine and fails in CI.

The pages are those of the demo year as each kind of visitor sees them — a visitor, a member
representative (the demo account), staff on the site's pages (the door, the readiness check,
a draft report) — with forms shown empty and sent back with errors, and the published
report's page and archived file. All are checked in one run of the checker; the test fails
with every message it gives, page by page.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Registration
from demo.loader import load_demo
from members import invitations
from members.models import Contact, Member, User
from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import ContactFactory, UserFactory
from pole.fiscal_years import FiscalYear
from pole.unsubscribe import unsubscribe_token
from reports.models import AnnualReport
from reports.services import publish_report

pytestmark = pytest.mark.django_db

VNU_VERSION = "26.9.27"
VNU_DIR = Path(os.environ.get("POLE_VNU_DIR", settings.BASE_DIR / ".cache" / "vnu"))
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _unavailable(message):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def vnu_jar():
    """The Nu HTML checker's jar, installed from npm on first use (its own Java download skipped)."""
    if shutil.which("java") is None:
        _unavailable("java is missing: apt-get install default-jre-headless")
    if not VNU_JAR.exists():
        if shutil.which("npm") is None:
            _unavailable("npm is missing: apt-get install npm")
        VNU_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(VNU_DIR),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                f"vnu-jar@{VNU_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
    return VNU_JAR


def check_html(jar, pages, folder):
    """Run the checker once over ``pages`` (name → HTML); return its errors as « name: line: message »."""
    names = {}
    for index, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{index:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    result = subprocess.run(
        [
            "java",
            "-Xss2m",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            *sorted(str(p) for p in folder.glob("page-*.html")),
        ],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{names.get(message.get('url', '').rsplit('/', 1)[-1], message.get('url'))}: line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in messages
        if message.get("type") == "error" or message.get("subType") == "fatal"
    ]


def fetch(client, url, *, method="get", data=None, expected=None):
    # A form sent back with errors answers 200 or 400, depending on the view.
    expected = expected or ((200,) if method == "get" else (200, 400))
    response = getattr(client, method)(url, data or {})
    assert response.status_code in expected, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def demo_site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(password="Une-phrase-de-passe-solide-2026")
    publish_report(report=AnnualReport.objects.get(fiscal_year=FiscalYear(2016)))


def invitation_link():
    """A fresh invitation of a new colleague of the demo representative, as staff send it; return its path."""
    representative = Contact.objects.get(email="membre@exemple.org")
    contact = ContactFactory(
        member=representative.member, first_name="Marc", last_name="Lévesque", email="marc.levesque@exemple.org"
    )
    # The invitation's e-mail leaves the outbox when its transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    return re.search(r"http://testserver(/invitation/\S+/)", mail.outbox[-1].body)[1]


def public_pages(client):
    pages = {}
    member = Member.objects.filter(directory_consent=True, memberships__isnull=False).order_by("name").first()
    events = list(Activity.objects.filter(registration_open=True).order_by("start_date"))
    registration = Registration.objects.filter(activity__in=events).order_by("pk").first()
    pending = Registration.objects.create(
        activity=events[0],
        name="Visiteuse à confirmer",
        email="visiteuse@exemple.org",
        organisation="Voisins solidaires",
        status=Registration.Status.PENDING,
        seat_held_until=timezone.now() + datetime.timedelta(minutes=30),
    )
    unsubscribe = reverse("unsubscribe", args=[unsubscribe_token("news", ["membre@exemple.org", "autre@exemple.org"])])
    urls = {
        "home": "/",
        "directory": reverse("members:directory"),
        "directory search": reverse("members:directory") + "?q=coop&sector=&territory=",
        "directory page 2": reverse("members:directory") + "?page=2",
        "directory member": reverse("members:directory-detail", args=[member.pk]),
        "calendar": reverse("activities:calendar"),
        "report list": reverse("reports:list"),
        "report page": reverse("reports:annual", args=["2016-2017"]),
        "report file (archived)": reverse("reports:annual-html", args=["2016-2017"]),
        "login": reverse("login"),
        "password reset": reverse("password_reset"),
        "password reset sent": reverse("password_reset_done"),
        "password reset link (invalid)": reverse("password_reset_confirm", args=["MQ", "wrong-token"]),
        "password reset complete": reverse("password_reset_complete"),
        "cancel a registration": reverse("activities:cancel", args=[registration.cancel_token]),
        "confirmation link (already confirmed)": reverse("activities:confirm", args=[registration.cancel_token]),
        "confirmation link (to confirm, a seat held)": reverse("activities:confirm", args=[pending.cancel_token]),
        "privacy policy": reverse("privacy"),
        "unsubscribe": unsubscribe,
        "unsubscribe (dues)": reverse("unsubscribe", args=[unsubscribe_token("dues", ["a@exemple.org", "b@exemple.org"])]),
    }
    for event in events:
        urls[f"event {event.title}"] = reverse("activities:detail", args=[event.pk])
    for name, url in urls.items():
        pages[name] = fetch(client, url)
    pages["invitation (valid, with the news consent)"] = fetch(client, invitation_link())
    pages["invitation (invalid)"] = fetch(client, reverse("members:accept-invitation", args=["nope"]), expected=(404,))
    pages["page not found"] = fetch(client, "/page-inexistante/", expected=(404,))
    pages["login with errors"] = fetch(
        client, reverse("login"), method="post", data={"username": "x@exemple.org", "password": "non"}
    )
    pages["registration with errors"] = fetch(
        client,
        reverse("activities:detail", args=[events[0].pk]),
        method="post",
        data={"name": "", "email": "pas-un-courriel"},
    )
    pages["unsubscribe with errors"] = fetch(
        client, unsubscribe, method="post", data={"email": "quelqu-un@exemple.org"}, expected=(400,)
    )
    pages["unsubscribed"] = fetch(client, unsubscribe, method="post", data={"email": "membre@exemple.org"})
    return pages


def portal_pages(client):
    user = User.objects.get(email="membre@exemple.org")
    client.force_login(user)
    contact = Contact.objects.filter(member=user.contact.member).exclude(user=user).order_by("pk").first()
    urls = {
        "portal": reverse("members:portal"),
        "profile": reverse("members:profile"),
        "contacts": reverse("members:contacts"),
        "add a contact": reverse("members:contact-add"),
        "renew": reverse("members:renew", args=["2017-2018"]),
        "invoices": reverse("members:invoices"),
        "registrations": reverse("activities:portal-registrations"),
        "password change": reverse("password_change"),
        "password changed": reverse("password_change_done"),
        "home (representative)": "/",
        "report page (representative)": reverse("reports:annual", args=["2016-2017"]),
    }
    if contact is not None:
        urls["edit a contact"] = reverse("members:contact-edit", args=[contact.pk])
        urls["remove a contact"] = reverse("members:contact-delete", args=[contact.pk])
    pages = {name: fetch(client, url) for name, url in urls.items()}
    # The representative's own data, downloaded as a readable HTML file
    pages["my data (HTML file)"] = fetch(client, reverse("members:my-data", args=["html"]))
    pages["profile with errors"] = fetch(
        client, reverse("members:profile"), method="post", data={"email": "pas-un-courriel", "website": "x y"}
    )
    pages["contact with errors"] = fetch(
        client, reverse("members:contact-add"), method="post", data={"first_name": "", "email": "non"}
    )
    return pages


def staff_site_pages(client):
    client.force_login(UserFactory(is_staff=True, groups=[DIRECTION, PERSONNEL]))
    event = Activity.objects.filter(registration_open=True).order_by("start_date").first()
    urls = {
        "door": reverse("activities:door", args=[event.pk]),
        "door search": reverse("activities:door", args=[event.pk]) + "?q=a",
        "walk-in": reverse("activities:walk-in", args=[event.pk]),
        "e-mail the registrants": reverse("activities:email", args=[event.pk]),
        "report list (staff)": reverse("reports:list"),
        "report page (staff)": reverse("reports:annual", args=["2016-2017"]),
        "report live (staff)": reverse("reports:annual", args=["2016-2017"]) + "?direct=1",
        "draft report 2017-2018": reverse("reports:annual", args=["2017-2018"]),
        "readiness 2016-2017": reverse("reports:readiness", args=["2016-2017"]),
        "readiness 2017-2018": reverse("reports:readiness", args=["2017-2018"]),
    }
    pages = {name: fetch(client, url) for name, url in urls.items()}
    pages["walk-in with errors"] = fetch(
        client, reverse("activities:walk-in", args=[event.pk]), method="post", data={"walkin-name": ""}
    )
    return pages


def test_every_public_portal_and_site_page_is_valid_html(vnu_jar, demo_site, tmp_path):
    pages = {}
    pages.update(public_pages(Client()))
    pages.update(portal_pages(Client()))
    pages.update(staff_site_pages(Client()))
    assert len(pages) >= 45
    errors = check_html(vnu_jar, pages, tmp_path)
    assert errors == [], f"{len(errors)} errors on {len(pages)} pages:\n" + "\n".join(errors)


def test_the_checker_reports_what_it_should(vnu_jar, tmp_path):
    """The check itself works: the nested form the event page had is an error, a valid page none."""
    valid = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head><body><p>x</p></body></html>'
    )
    nested = valid.replace("<p>x</p>", '<form method="post"><form method="post"><button>x</button></form></form>')
    errors = check_html(vnu_jar, {"valid": valid, "nested": nested}, tmp_path)
    assert errors and all(error.startswith("nested: ") for error in errors)
    assert any("Nested forms are not allowed" in error or "“form” start tag" in error for error in errors)
