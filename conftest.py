import functools
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from members.roles import DIRECTION, PERSONNEL


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploaded and generated files of each test out of the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def cache_dir(settings, tmp_path):
    """Give each test an empty file cache of its own (cached report PDFs), out of the project's folder."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")},
    }
    return tmp_path / "cache"


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


@pytest.fixture
def e2e_demo(transactional_db):
    """The demo year (2016-2017) as `make run` loads it, with images, for the end-to-end tests.

    Their transactional database is emptied after each test; the role groups come back with
    the flush's post_migrate (members/roles.py).
    """
    from demo.loader import load_demo

    load_demo(password=E2E_PASSWORD, images=True)


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
    the response with ``large`` rows.
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the end-to-end tests last, after pytest-django's own ordering.

    They use transactional databases, flushed after each test (role groups included,
    restored only at the start of the next such test); no other test should run after.
    """
    items.sort(key=_run_order)


def _run_order(item):
    """0: the rest, 1: other transactional tests (backups…), 2: end-to-end tests.

    A transactional test also empties the database after it, so it runs after the tests
    whose module-scoped fixtures (such as the demo PDF's) use the groups of the migrations.
    """
    if item.get_closest_marker("e2e") is not None:
        return 2
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return 1 if transactional or "transactional_db" in getattr(item, "fixturenames", ()) else 0
