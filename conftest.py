import functools
import os
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from members.roles import DIRECTION, PERSONNEL

# Module fixtures that commit data once for a module, with files of their own (below).
SHARED_FILES = ("shared_demo_site", "published_demo")


def _shared_files(request):
    for name in SHARED_FILES:
        if name in request.fixturenames:
            return request.getfixturevalue(name)
    return None


@pytest.fixture(autouse=True)
def media_root(request, settings, tmp_path):
    """Keep uploaded and generated files of each test out of the project's media folder.

    Tests of a module sharing one demo site (``shared_demo_site``) or one published demo
    (``published_demo``) see its files.
    """
    shared = _shared_files(request)
    settings.MEDIA_ROOT = shared.media_root if shared is not None else tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def private_root(request, settings, tmp_path):
    """Keep each test's private files (archived report versions) in a folder of its own."""
    shared = _shared_files(request)
    settings.POLE_PRIVATE_ROOT = getattr(shared, "private_root", None) or tmp_path / "private"
    return settings.POLE_PRIVATE_ROOT


@pytest.fixture(autouse=True)
def cache_dir(settings, tmp_path):
    """Give each test an empty cache of its own (report PDFs, the identity, public pages).

    A file cache in the test's folder; with REDIS_URL set, the shared Redis under a key prefix
    of the test's own.
    """
    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("RedisCache"):
        settings.CACHES = {"default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    else:
        settings.CACHES = {"default": {**default, "LOCATION": str(tmp_path / "cache")}}
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def s3_server():
    """An S3 server (moto in server mode) on the loopback, started for the test session: real HTTP,
    real signatures, never a provider. Its address, e.g. ``http://127.0.0.1:41234``."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_CREDENTIALS = {"access_key": "pole-test", "secret_key": "pole-test-secret", "region": "us-east-1"}


@pytest.fixture
def s3_storages(settings, s3_server):
    """Public and private storages on two new buckets of the moto server, made as pole/settings.py makes them.

    Returns the buckets' names, the server's address and a boto3 client to look inside.
    """
    import boto3

    from pole.object_storage import s3_storages as storages_for

    suffix = uuid.uuid4().hex[:12]
    public, private = f"pole-public-{suffix}", f"pole-private-{suffix}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=S3_CREDENTIALS["region"],
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
    )
    for bucket in (public, private):
        client.create_bucket(Bucket=bucket)
    # What the README asks of a deployment: anyone may read the public bucket, no one the private one.
    client.put_bucket_policy(Bucket=public, Policy=public_read_policy(public))
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_for(
            public_bucket=public,
            private_bucket=private,
            public_url=f"{s3_server}/{public}",
            endpoint_url=s3_server,
            **S3_CREDENTIALS,
        ),
    }
    return SimpleNamespace(endpoint=s3_server, public=public, private=private, client=client)


def public_read_policy(bucket):
    """A bucket policy letting anyone read the bucket's objects (and nothing else)."""
    import json

    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def bucket_keys(client, bucket):
    """Every key of ``bucket``, sorted."""
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(autouse=True)
def page_cache_off(settings, request):
    """Tests read ``response.context``, which a page served from the cache has not: the public
    pages' cache (pole/page_cache.py) is off unless a test asks for it with the ``page_cache`` fixture."""
    settings.POLE_PAGE_CACHE = "page_cache" in request.fixturenames


@pytest.fixture
def page_cache(settings):
    """The public pages' cache on, as in production."""
    settings.POLE_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords cheaply; the real hasher's cost buys nothing in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs, at the block's end, what a commit would run: the tasks it queued.

    A test's transaction never commits, so what an action queues for after its commit
    (``pole.celery.enqueue_after_commit``: e-mails of the outbox, publications) runs only
    inside this block, in order, as it would in the web process without a broker.
    """
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (pole/tests/smtp_server.py), and Django's e-mail settings pointed at it.

    Set ``smtp_server.mode`` to ``"refuse"`` (451, try later) or ``"reject"`` (550) to have it
    refuse; ``smtp_server.messages`` lists what it accepted.
    """
    from pole.tests.smtp_server import SMTPTestServer

    server = SMTPTestServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


@pytest.fixture
def closed_smtp_port(settings):
    """Django's e-mail settings pointed at a port of 127.0.0.1 where no server listens: every attempt is refused."""
    from pole.tests.smtp_server import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings.EMAIL_PORT


# --- Real Celery workers on the real Redis (pole/tests/celery_worker.py) ------------------------


@pytest.fixture
def redis_url():
    """Redis' URL for the tests (``POLE_TEST_REDIS_URL``, ``REDIS_URL`` or 127.0.0.1); skip without it, fail in CI."""
    from pole.tests.celery_worker import require_redis

    return require_redis()


@pytest.fixture
def celery_worker(transactional_db, settings, redis_url):
    """A real Celery worker (solo pool) in a thread, consuming a queue of its own on Redis.

    While it runs, what the test process queues (after each commit: the data is committed,
    ``transactional_db``) goes to Redis and runs in the worker, not in the web process.
    Yields Celery's ``WorkController``.
    """
    from pole.tests.celery_worker import new_queue, worker_thread

    with worker_thread(new_queue(), url=redis_url, settings=settings) as worker:
        yield worker


@pytest.fixture
def celery_worker_process(transactional_db, settings, redis_url, tmp_path):
    """Start ``celery -A pole worker`` as a process: ``celery_worker_process(env={...})`` → ``WorkerProcess``.

    Each call starts a worker on a new queue of Redis, its output in ``tmp_path``; the test
    process then queues its tasks there. ``env`` sets the worker's environment (its
    ``DATABASE_URL``: ``database_url_for_workers()``, the test's PostgreSQL database; its SMTP
    server…); ``WorkerProcess.environment()`` is what an app server started by the test needs
    to queue tasks for it. Every worker is stopped at the end of the test, before its database
    is emptied.
    """
    from contextlib import ExitStack

    from pole.tests.celery_worker import new_queue, use_broker, worker_process

    with ExitStack() as stack:

        def start(env=None):
            queue = new_queue()
            worker = stack.enter_context(worker_process(queue, env=env, url=redis_url, log=tmp_path / f"{queue}.log"))
            stack.enter_context(use_broker(queue, url=redis_url, settings=settings))
            return worker

        yield start


@pytest.fixture
def personnel_user(db):
    """A staff user in the Personnel group created by the role-groups data migration."""
    from members.tests.factories import UserFactory

    return UserFactory(email="personnel@exemple.org", is_staff=True, groups=[PERSONNEL])


@pytest.fixture
def direction_user(db):
    """A staff user in the Direction group created by the role-groups data migration."""
    from members.tests.factories import UserFactory

    return UserFactory(email="direction@exemple.org", is_staff=True, groups=[DIRECTION])


@pytest.fixture
def personnel_client(client, personnel_user):
    client.force_login(personnel_user)
    return client


@pytest.fixture
def direction_client(client, direction_user):
    client.force_login(direction_user)
    return client


@pytest.fixture
def violates(db):
    """Assert that the block breaks the database constraint ``name`` of ``model``.

    PostgreSQL and SQLite name a violated constraint in the error, except SQLite for
    a unique constraint on plain fields, where it lists the table's columns instead.
    """

    @contextmanager
    def check(model, name):
        constraint = next(c for c in model._meta.constraints if c.name == name)
        with pytest.raises(IntegrityError) as caught:
            with transaction.atomic():
                yield
        message = str(caught.value)
        if name in message:
            return
        assert connection.vendor == "sqlite", message
        assert isinstance(constraint, UniqueConstraint) and constraint.fields, message
        columns = ", ".join(f"{model._meta.db_table}.{model._meta.get_field(f).column}" for f in constraint.fields)
        assert f"UNIQUE constraint failed: {columns}" in message

    return check


# --- End-to-end tests in a real browser ------------------------------------------------------

CHROMIUM = os.environ.get("POLE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; no browser is ever downloaded.

    Missing Chromium skips the end-to-end tests on a developer's machine but fails in
    CI (``CI`` set), where ``.ci/run`` installs it.
    """
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser session (own cookies) at a viewport; pages are closed after."""
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="fr-CA")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# The password of the demo accounts in the end-to-end tests.
E2E_PASSWORD = "Une-phrase-de-passe-solide-2026"


# The demo as the first ``e2e_demo`` of this test process loaded it, by database vendor.
_DEMO_SNAPSHOTS = {}


@pytest.fixture
def e2e_demo(transactional_db):
    """The demo year (2016-2017) as `make run` loads it, for the end-to-end tests.

    Their transactional database is emptied after each test; the role groups come back with
    the flush's post_migrate (members/roles.py). The first test of a process loads the demo
    through its loader and keeps every table's rows; the next ones get those rows back
    (pole/tests/db_snapshot.py), in a tenth of the time. A test names it before any fixture that
    writes rows, so that the snapshot holds the demo alone.
    """
    from demo.loader import load_demo
    from pole.tests import db_snapshot

    snapshot = _DEMO_SNAPSHOTS.get(connection.vendor)
    if snapshot is None:
        load_demo(password=E2E_PASSWORD)
        _DEMO_SNAPSHOTS[connection.vendor] = db_snapshot.take()
    else:
        db_snapshot.restore(snapshot)


class SharedDemoSite:
    """A live server of its own over the demo committed once (``shared_demo_site``)."""

    def __init__(self, url, media_root):
        self.url = url
        self.media_root = media_root


@pytest.fixture(scope="module")
def shared_demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo year with its 2016-2017 report published, committed ONCE for a module of browser
    tests that only read it, and served by a live server of the module's own.

    Loading the demo, publishing and emptying the database again cost seconds a test; a module
    of page audits needs them once. Its tests take ``shared_page`` instead of ``new_page``; each
    runs in a transaction rolled back after it (the ``db`` fixture), so what the test itself
    writes is undone — but on PostgreSQL the live server sees only committed data, so a test
    whose browser must see a change belongs with ``e2e_demo`` instead. The database is emptied
    when the module ends (the role groups come back with the flush's post_migrate). Mark such
    a module ``pytest.mark.e2e`` without ``django_db(transaction=True)``, which would empty
    the shared data after the first test.
    """
    from django.core.management import call_command
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    from demo.loader import _archive_report, load_demo

    media = tmp_path_factory.mktemp("shared-demo") / "media"
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        load_demo(password=E2E_PASSWORD)
        _archive_report()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()  # localhost among ALLOWED_HOSTS
        try:
            yield SharedDemoSite(server.url, media)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def published_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo year with its 2016-2017 report published ONCE by the Direction (version 1),
    committed for a module of tests that read it or build on it.

    Publishing renders the archival PDF and the self-contained file: seconds each time. Each
    test runs in a transaction rolled back after it (``db``), so what it changes — a renamed
    activity, a version 2 — is undone for the next. Its files are the module's
    (``media_root``, ``private_root``). The database is emptied when the module ends (the role
    groups come back with the flush's post_migrate). Returns the primary keys of the report, the
    version and the Direction's account that published it.
    """
    from django.core.management import call_command
    from django.test import override_settings

    from demo.loader import load_demo
    from members.tests.factories import UserFactory
    from pole.fiscal_years import FiscalYear
    from reports.models import AnnualReport
    from reports.publishing import publish

    folder = tmp_path_factory.mktemp("published-demo")
    shared = SimpleNamespace(media_root=folder / "media", private_root=folder / "private")
    cache = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(folder / "cache")}}
    with django_db_blocker.unblock(), override_settings(
        MEDIA_ROOT=shared.media_root, POLE_PRIVATE_ROOT=shared.private_root, CACHES=cache, DEBUG=True
    ):
        load_demo()
        user = UserFactory(email="dg@exemple.org", is_staff=True, groups=[DIRECTION])
        report = AnnualReport.objects.get(fiscal_year=FiscalYear(2016))
        version = publish(report=report, by=user)
        shared.report_pk, shared.version_pk, shared.user_pk = report.pk, version.pk, user.pk
        try:
            yield shared
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def shared_page(browser, shared_demo_site, db):
    """``new_page`` for the tests of a shared demo site: a fresh browser session at a viewport."""
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=shared_demo_site.url, locale="fr-CA")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# --- The demo report, rendered once per test process ------------------------------------------


class DemoRenders(dict):
    """What a render of the demo report produced, by name (``demo_report``)."""


def _render_demo(tmp_path_factory, django_db_blocker, *, portraits):
    """Load the demo in a transaction, render what the report tests read, and
    roll everything back, so no test sees the demo unless it asks for it."""
    import logging

    from django.test import override_settings
    from django.utils import translation

    from demo.loader import load_demo
    from reports.pdf import render_report_html, render_report_pdf
    from reports.report import build_report_context
    from reports.standalone import clear_subset_cache, render_standalone_html
    from reports.tests.factories import give_portraits_and_logos

    folder = tmp_path_factory.mktemp("demo-report")
    renders = DemoRenders(folder=folder)
    with override_settings(MEDIA_ROOT=folder / "media"), django_db_blocker.unblock():
        with transaction.atomic():
            load_demo()
            if portraits:
                give_portraits_and_logos()
            with translation.override("fr-ca"):
                context = build_report_context("2016-2017")
                renders["context"] = context
                renders["pdf"] = render_report_pdf("2016-2017", context=context, use_cache=False)
                renders["print_html"] = render_report_html(context, for_print=True, stylesheets_given=True)
                renders["print_html_styled"] = render_report_html(context, for_print=True)
                renders["screen_html"] = render_report_html(context)
                if portraits:
                    warnings = []
                    handler = logging.Handler()
                    handler.emit = warnings.append
                    logger = logging.getLogger("weasyprint")
                    logger.addHandler(handler)
                    try:
                        renders["archival_pdf"] = render_report_pdf(
                            "2016-2017", context=context, archival=True, use_cache=False
                        )
                    finally:
                        logger.removeHandler(handler)
                    renders["archival_warnings"] = warnings
                    renders["standalone_html"] = render_standalone_html("2016-2017")
                    # The second render subsets its fonts again (not from memory): the bytes are compared.
                    clear_subset_cache()
                    renders["standalone_html_again"] = render_standalone_html("2016-2017")
            transaction.set_rollback(True)
    path = folder / "rapport.pdf"
    path.write_bytes(renders["pdf"])
    renders["pdf_path"] = path
    return renders


@pytest.fixture(scope="session")
def demo_report(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo report (2016-2017, in French, as the demo ships it: no picture), rendered ONCE per test
    process and shared by every test that only reads it: ``pdf`` (bytes) and ``pdf_path``,
    ``print_html`` (the page WeasyPrint lays out, stylesheets given apart), ``print_html_styled``
    (with its stylesheets), ``screen_html`` and the ``context``."""
    return _render_demo(tmp_path_factory, django_db_blocker, portraits=False)


@pytest.fixture(scope="session")
def demo_report_with_portraits(django_db_setup, django_db_blocker, tmp_path_factory):
    """``demo_report`` with portraits for the board and staff, logos for the partners and photos
    for the captioned activities and sections (the demo has none: test pictures), plus ``archival_pdf`` (PDF/A-3a) with the WeasyPrint warnings logged
    while it rendered (``archival_warnings``), and the self-contained file rendered twice
    (``standalone_html``, ``standalone_html_again``)."""
    return _render_demo(tmp_path_factory, django_db_blocker, portraits=True)


def admin_log_in(page, email, password=E2E_PASSWORD):
    """Log in through the admin's login page and wait for the admin's index."""
    import re

    page.goto("/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.fixture
def assert_constant_queries(django_assert_num_queries):
    """Check that a page runs as many queries with ``large`` rows as with ``small``.

    ``check(client, url, build)`` calls ``build(i)`` to add row ``i``, and returns
    the response with ``large`` rows. The public pages' cache is off (``page_cache_off``): the
    view itself is measured.
    """
    from django.test.utils import CaptureQueriesContext

    def check(client, url, build, small=2, large=20):
        for i in range(small):
            build(i)
        assert client.get(url).status_code == 200  # warm the caches (content types, permissions)
        with CaptureQueriesContext(connection) as few_rows:
            client.get(url)
        for i in range(small, large):
            build(i)
        with django_assert_num_queries(len(few_rows.captured_queries)):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return check


@pytest.fixture
def fixed_today(monkeypatch):
    """``fixed_today(date)`` makes ``timezone.localdate()`` (hence ``FiscalYear.current()``) return ``date``."""
    from django.utils import timezone

    real_localdate = timezone.localdate

    def fix(day):
        def localdate(value=None, timezone=None):
            return day if value is None else real_localdate(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return fix


# A test that asks for any of these is in the slow tier (``make test-fast`` leaves it out).
SLOW_FIXTURES = {
    "browser",
    "live_server",
    "transactional_db",
    "e2e_demo",
    "shared_demo_site",
    "published_demo",
    "demo_report",
    "demo_report_with_portraits",
    "s3_server",
    "celery_worker",
    "celery_worker_process",
    "smtp_server",
}


def pytest_itemcollected(item):
    """The slow tier: the end-to-end tests, every test with a live server or a transactional
    database, and the tests reading the rendered demo report, besides those marked by hand."""
    if item.get_closest_marker("e2e") or SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the longest tests first.

    The order (after pytest-django's own): tests marked ``long`` first, then the other
    end-to-end tests, then the rest. Under pytest-xdist the longest are handed out first,
    so the workers finish together. A transactional test empties the database after it; the
    role groups and permissions come back with the flush's post_migrate, so the order is free.
    """
    items.sort(key=_run_order)


def _run_order(item):
    if item.get_closest_marker("long") is not None:
        return 0
    if item.get_closest_marker("e2e") is not None:
        return 1
    return 2
