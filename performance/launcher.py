"""One server launcher for the tools that start the app as deployed: the load test
(performance/loadtest.py), the oversell test (performance/oversell.py), the invoice-numbering
race (members/billing/tests) and the two-server test (tests/test_two_servers.py).

A database of its own (PostgreSQL or a SQLite file), production settings on plain HTTP at
127.0.0.1, ``manage.py`` in a child process, gunicorn with the production configuration
(pole/gunicorn.py) in its own process group, waited for until it serves and stopped with its workers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def loadtest_database_url(url):
    """The URL of the load test's own database: ``url`` with ``_loadtest`` added to its name."""
    import dj_database_url

    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(dj_database_url.parse(url)["NAME"]).resolve()
        return f"sqlite:///{path.with_name(f'{path.stem}_loadtest{path.suffix}')}"
    name = parts.path.lstrip("/") or "pole"
    return urlunsplit(parts._replace(path=f"/{name}_loadtest"))


def create_database(url, *, replace=False):
    """Create the empty database ``url`` (PostgreSQL or SQLite); refuse an existing one unless ``replace``."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(config["NAME"])
        if path.exists():
            if not replace:
                raise FileExistsError(f"{path} exists: give --replace to start from an empty database")
            path.unlink()
        return
    from psycopg2 import sql

    connection = _maintenance_connection(config)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone():
                if not replace:
                    raise FileExistsError(f"the database {config['NAME']} exists: give --replace to start afresh")
                cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    finally:
        connection.close()


def _maintenance_connection(config):
    """An autocommit connection to the server's ``postgres`` database, to create or drop ours."""
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def drop_database(url):
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).unlink(missing_ok=True)
        return
    from psycopg2 import sql

    connection = _maintenance_connection(config)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
    finally:
        connection.close()


def server_environment(*, database_url, workdir, static_root=None, debug=False):
    """The environment of the child processes: production settings, on plain HTTP at 127.0.0.1.

    ``debug`` serves static files from the source folders, sparing ``collectstatic`` (long:
    it compresses every font); only for quick checks of this tool, not for figures.
    """
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="true" if debug else "false",
        DJANGO_SECRET_KEY="loadtest-" + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on the loopback: no TLS redirect, cookies without the Secure flag.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(Path(workdir) / "media"),
        # A cache of its own: the first PDF is drawn, the next ones of the unchanged report are served from it.
        POLE_CACHE_DIR=str(Path(workdir) / "cache"),
        STATIC_ROOT=str(static_root or Path(workdir) / "static"),
        POLE_PRIVATE_ROOT=str(Path(workdir) / "private"),
        POLE_LOADTEST_BARE_VIEW="true",
        PYTHONUNBUFFERED="1",
    )
    return environment


def manage(*arguments, environment, log):
    """Run ``manage.py`` in a child process; raise RuntimeError with its output's end if it fails."""
    from django.conf import settings

    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments],
        env=environment,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed (status {result.returncode}); see {log.name}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(*, port, workers, environment, log, threads=None, backlog=None):
    """Start gunicorn serving pole.wsgi on 127.0.0.1:``port``; return its process.

    ``threads`` gives each worker threads (the oversell test: many requests in the database at
    once); ``backlog`` the queue of connections waiting for a worker.
    """
    from django.conf import settings

    # The production configuration when there is one; the options below take precedence.
    config = Path(settings.BASE_DIR) / "pole" / "gunicorn.py"
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *(["--config", str(config)] if config.exists() else []),
            "pole.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            # The PDF takes seconds to draw; the default 30 s would kill a worker queued behind others.
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            *(["--threads", str(threads)] if threads else []),
            *(["--backlog", str(backlog)] if backlog else []),
        ],
        env=environment,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_serving(base_url, process, *, seconds=60):
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (status {process.returncode}) before serving")
        try:
            if httpx.get(f"{base_url}/connexion/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {base_url} within {seconds} s")


def stop(process):
    """Stop gunicorn (its own process group: the arbiter and its workers) and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
