"""Real Celery workers for the tests: in a thread of the test process, or as a process of their own.

Both consume from the real Redis (``POLE_TEST_REDIS_URL``, else ``REDIS_URL``, else
``redis://127.0.0.1:6379/0``), each on a queue of its own (``pole-test-<random>``), so that test
runs sharing one Redis never take each other's tasks. Without Redis the tests that need it are
skipped on a developer's machine and fail in CI (``CI`` set), as the browser tests do.

- ``worker_thread(queue)``: Celery's own test worker (``celery.contrib.testing``), solo pool, in a
  thread; it shares the test's database. Tests using it need committed data
  (``transactional_db``), as the web process and a worker see it.
- ``worker_process(queue, env=...)``: the production command, ``celery -A pole worker``, in a
  process of its own, returned once it answers a ping. It reads its database from ``env``
  (``DATABASE_URL``): a database server the test shares with it (PostgreSQL; an in-memory SQLite
  test database cannot be shared with another process). ``database_url_for_workers()`` gives the
  test database's URL. Made for the integration tests that start app servers as processes too.

While either runs, ``use_broker(queue)`` makes the test process queue its tasks there instead of
running them after the commit (``CELERY_TASK_ALWAYS_EAGER`` off).
"""

import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url():
    return os.environ.get("POLE_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def require_redis(url=None):
    """Return Redis' URL if it answers; else skip the test, or fail it in CI."""
    import redis

    url = url or redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis does not answer at {url} ({error}): start it, or set POLE_TEST_REDIS_URL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def new_queue():
    return f"pole-test-{secrets.token_hex(6)}"


@contextmanager
def use_broker(queue, *, url=None, settings=None):
    """Queue the test process's tasks on ``queue`` of Redis (a worker runs them), not after the commit.

    ``settings`` (pytest-django's fixture) is accepted for the callers that have it; the Django
    settings are overridden for the block in any case (``pole.celery.tasks_queued_on``).
    """
    from pole.celery import tasks_queued_on

    with tasks_queued_on(url or redis_url(), queue=queue) as app:
        yield app


def _share_in_memory_database(worker_thread_ids):
    """Give the worker thread the test's own connection when the test database is in-memory SQLite.

    As Django's live server does: another connection would see a database of its own (or
    lock against the test's). Return the signal receiver to disconnect afterwards, or None.
    """
    from celery import signals
    from django.db import connections

    shared = {
        alias: connections[alias]
        for alias in connections
        if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()
    }
    if not shared:
        return None
    for connection in shared.values():
        connection.inc_thread_sharing()

    def use_shared_connection(**kwargs):
        if threading.get_ident() in worker_thread_ids:
            for alias, connection in shared.items():
                connections[alias] = connection

    signals.task_prerun.connect(use_shared_connection, weak=False)

    def release():
        signals.task_prerun.disconnect(use_shared_connection)
        for connection in shared.values():
            connection.dec_thread_sharing()

    return release


@contextmanager
def worker_thread(queue, *, url=None, settings=None):
    """A real Celery worker consuming ``queue`` of Redis, in a thread; the test queues its tasks there."""
    from celery.contrib.testing.worker import start_worker

    url = require_redis(url)
    with use_broker(queue, url=url, settings=settings) as app:
        before = {thread.ident for thread in threading.enumerate()}
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            queues=[queue],
            hostname=f"{queue}@test",
            shutdown_timeout=60,
        ) as worker:
            # The solo pool runs each task in the thread that consumes, the one start_worker started.
            release = _share_in_memory_database({thread.ident for thread in threading.enumerate()} - before)
            try:
                yield worker
            finally:
                if release is not None:
                    release()


def ping(app, hostname, *, attempts=60):
    """Whether the worker ``hostname`` answers a ping within ``attempts`` one-second tries."""
    for _attempt in range(attempts):
        if app.control.ping(destination=[hostname], timeout=1.0):
            return True
    return False


@dataclass
class WorkerProcess:
    """A worker started by ``worker_process``: its process, queue, broker and log file."""

    process: subprocess.Popen
    queue: str
    broker_url: str
    hostname: str
    log: Path | None

    def environment(self):
        """What another process (an app server) needs in its environment to queue its tasks here."""
        return {"CELERY_BROKER_URL": self.broker_url, "POLE_TASK_QUEUE": self.queue}


@contextmanager
def worker_process(queue, *, env=None, url=None, log=None):
    """``celery -A pole worker`` in a process of its own, consuming ``queue``; yield a ``WorkerProcess``.

    ``env`` adds to the process's environment (``DATABASE_URL``, ``EMAIL_HOST``…). Yielded once
    the worker answers a ping; stopped (TERM, then KILL) afterwards. ``log`` is a file for its output.
    """
    url = require_redis(url)
    hostname = f"{queue}@test"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "pole",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--hostname",
        hostname,
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "INFO",
    ]
    process_env = {**os.environ, "CELERY_BROKER_URL": url, "POLE_TASK_QUEUE": queue, **(env or {})}
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 — closed below
    process = subprocess.Popen(command, cwd=ROOT, env=process_env, stdout=output, stderr=subprocess.STDOUT)
    try:
        from pole.celery import app

        with use_broker(queue, url=url):
            if not ping(app, hostname):
                raise RuntimeError(f"The worker {hostname} did not answer (exit code {process.poll()}); see {log}")
        yield WorkerProcess(process, queue, url, hostname, Path(log) if log else None)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()


def database_url_for_workers():
    """The test database as a ``DATABASE_URL`` another process can open, or None (in-memory SQLite)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings['NAME']}"


def wait_for(condition, *, attempts=300, pause=0.1):
    """Call ``condition`` until it returns a true value (at most ``attempts`` times); return that value."""
    for _attempt in range(attempts):
        value = condition()
        if value:
            return value
        time.sleep(pause)
    raise AssertionError(f"Still not true after {attempts} checks: {condition.__doc__ or condition}")
