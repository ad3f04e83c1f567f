"""Proof that no state is local: two app servers, each with folders of its own, share everything.

Two gunicorn servers (production WSGI, 2 workers each), each with its own MEDIA_ROOT, private
folder, file-cache folder and static folder — none of which may matter — run against the real
PostgreSQL, Redis (the shared cache and the task queue's broker), a Celery worker and an S3 server
(moto, on the loopback, started here).
Then, through HTTP only, as people would:

- a representative uploads a logo on server A; server B's directory shows it, read from the
  public bucket, and B's cached member page follows a description saved on A;
- the Direction publishes the report on A; the archived PDF downloads from B, byte for byte,
  from the private bucket (and not from any public address);
- five failed logins on A lock the account; the right password on B is refused;
- a visitor registers for an event on B: the e-mail is queued on Redis and sent by a Celery
  worker (``celery -A pole worker``, a process of its own, started here) to an SMTP server;
  the publication clicked on A is rendered by that worker too, not by the web servers.

Runs when the suite runs on PostgreSQL (``DATABASE_URL=postgres://…``, as .ci/run's second pass
does). Skipped on a developer's machine without PostgreSQL or Redis (with the reason); in CI
(``CI`` set) their absence fails the test. The steps are printed (``pytest -s``) for the record.
"""

import hashlib
import io
import os
import re
import socket
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from conftest import S3_CREDENTIALS, bucket_keys, public_read_policy
from performance import launcher, loadtest

DEMO_PASSWORD = "Essai-deux-serveurs-2026"
REPRESENTATIVE = "membre@exemple.org"
DIRECTOR = "direction@exemple.org"
REPORT_YEAR = "2016-2017"


def reachable(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def require(service, host, port):
    if not reachable(host, port):
        message = f"{service} is not running on {host}:{port}: the two-server test needs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def postgres_url():
    configured = os.environ.get("DATABASE_URL", "")
    base = configured if configured.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/pole"
    parts = urlsplit(base)
    return parts._replace(path=f"/pole_two_servers_{uuid.uuid4().hex[:10]}").geturl()


def redis_url():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"


def say(line):
    print(f"[deux serveurs] {line}", flush=True)


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class Browser:
    """One person's cookies on one server; ``on(server)`` carries them to another, as a proxy would."""

    def __init__(self, base_url):
        import httpx

        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=300)

    def on(self, base_url):
        import httpx

        other = Browser.__new__(Browser)
        other.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=300, cookies=self.client.cookies)
        return other

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def form(self, url, field):
        page = self.get(url)
        assert page.status_code == 200, (url, page.status_code)
        return loadtest.form_fields(page.text, field)

    def post_form(self, url, field, changes, **kwargs):
        data = self.form(url, field)
        data.update(changes)
        return self.client.post(url, data=data, **kwargs)

    def log_in(self, email, password):
        return self.post_form("/connexion/", "username", {"username": email, "password": password})


def wait_for(condition, *, attempts, pause=0.5):
    """``condition()``'s first true value, tried ``attempts`` times ``pause`` seconds apart; else None."""
    import time

    for _attempt in range(attempts):
        value = condition()
        if value:
            return value
        time.sleep(pause)
    return None


@pytest.fixture
def two_servers(tmp_path, s3_server):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # .ci/run runs the suite on SQLite, then on PostgreSQL: this test runs in the second pass.
        pytest.skip("the two-server test runs against PostgreSQL: set DATABASE_URL=postgres://…")
    require("PostgreSQL", "127.0.0.1", 5432)
    require("Redis", "127.0.0.1", 6379)
    import boto3
    import redis

    suffix = uuid.uuid4().hex[:10]
    public, private = f"pole-deux-public-{suffix}", f"pole-deux-private-{suffix}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=S3_CREDENTIALS["region"],
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
    )
    for bucket in (public, private):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=public, Policy=public_read_policy(public))

    from pole.tests.celery_worker import worker_process
    from pole.tests.smtp_server import SMTPTestServer

    database = postgres_url()
    cache_prefix = f"pole-deux-{suffix}"
    queue = f"pole-deux-{suffix}"
    smtp = SMTPTestServer().start()
    shared = {
        "DATABASE_URL": database,
        "REDIS_URL": redis_url(),
        # The task queue: a queue of its own on Redis, which only this test's worker consumes.
        "CELERY_BROKER_URL": redis_url(),
        "POLE_TASK_QUEUE": queue,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "POLE_CACHE_PREFIX": cache_prefix,
        "POLE_S3_PUBLIC_BUCKET": public,
        "POLE_S3_PRIVATE_BUCKET": private,
        "POLE_S3_ENDPOINT_URL": s3_server,
        "POLE_S3_REGION": S3_CREDENTIALS["region"],
        "POLE_S3_ACCESS_KEY_ID": S3_CREDENTIALS["access_key"],
        "POLE_S3_SECRET_ACCESS_KEY": S3_CREDENTIALS["secret_key"],
    }

    def environment(name):
        """Production settings with this server's own folders (server.server_environment), and the shared parts."""
        folder = tmp_path / name
        env = launcher.server_environment(database_url=database, workdir=folder, debug=True)
        env.update(shared)
        env["DJANGO_SECRET_KEY"] = "deux-serveurs-" + suffix  # one key for the site, as in production
        env["POLE_LOADTEST_BARE_VIEW"] = "false"
        env["DJANGO_LOG_LEVEL"] = "WARNING"
        return env

    log = open(tmp_path / "servers.log", "w")  # noqa: SIM115 — closed below
    launcher.create_database(database)
    processes = []
    try:
        say(f"database {urlsplit(database).path[1:]} on PostgreSQL, Redis {redis_url()}, S3 (moto) at {s3_server}")
        setup = environment("setup")
        launcher.manage("migrate", "--noinput", environment=setup, log=log)
        launcher.manage("load_demo", "--password", DEMO_PASSWORD, "--no-archive", environment=setup, log=log)
        say(f"demo loaded: {len(bucket_keys(s3, public))} images in the public bucket, none elsewhere")
        servers = []
        for name in ("A", "B"):
            port = launcher.free_port()
            process = launcher.start_gunicorn(port=port, workers=2, environment=environment(name), log=log)
            processes.append(process)
            servers.append(f"http://127.0.0.1:{port}")
        for url, process in zip(servers, processes, strict=True):
            launcher.wait_until_serving(url, process)
        say(f"server A at {servers[0]}, server B at {servers[1]}, each with folders of its own under {tmp_path}")
        # The worker logs each task it runs (« Task … succeeded »): the proof it ran there.
        worker_env = {**environment("worker"), "DJANGO_LOG_LEVEL": "INFO"}
        with worker_process(queue, env=worker_env, url=redis_url(), log=tmp_path / "worker.log"):
            say(f"a Celery worker (celery -A pole worker) consumes the queue {queue}; SMTP at 127.0.0.1:{smtp.port}")
            yield {
                "A": servers[0],
                "B": servers[1],
                "s3": s3,
                "public": public,
                "private": private,
                "tmp": tmp_path,
                "smtp": smtp,
                "worker_log": tmp_path / "worker.log",
            }
    finally:
        smtp.stop()
        for process in processes:
            launcher.stop(process)
        log.close()
        launcher.drop_database(database)
        client = redis.Redis.from_url(redis_url())
        for key in client.scan_iter(match=f"{cache_prefix}:*"):
            client.delete(key)


def local_files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())


@pytest.mark.long
@pytest.mark.slow
def test_two_servers_share_files_cache_and_login_locks(two_servers):
    a, b, s3 = two_servers["A"], two_servers["B"], two_servers["s3"]

    # --- A logo uploaded on A is seen on B ---------------------------------------------------
    representative = Browser(a)
    assert representative.log_in(REPRESENTATIVE, DEMO_PASSWORD).headers["location"].startswith("/membre/")
    logo = png("#2a7f62")
    form = representative.form("/membre/profil/", "description")
    form["description"] = "Coopérative funéraire, profil enregistré sur le serveur A."
    saved = representative.client.post("/membre/profil/", data=form, files={"logo": ("logo.png", logo, "image/png")})
    assert saved.status_code == 302, saved.text[:2000]
    say("A: the representative saved a new logo and description")

    visitor_b = Browser(b)
    search = visitor_b.get("/membres/", params={"q": "Deux Rives"})
    member_url = re.search(r'href="(/membres/\d+/)"', search.text)[1]
    page = visitor_b.get(member_url)
    assert "profil enregistré sur le serveur A" in page.text
    logo_url = re.search(r'<img src="([^"]+)" alt="Coopérative funéraire des Deux Rives"', page.text)[1]
    assert logo_url.startswith(f"{s3.meta.endpoint_url}/{two_servers['public']}/members/logos/")
    fetched = Browser(b).client.get(logo_url)  # the browser reads it from the public bucket
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (120, 60)
    say(f"B: the member page shows the logo, read at {logo_url.split('?')[0]}")

    # The same session on B (sessions live in PostgreSQL): the portal shows the logo too.
    assert logo_url in representative.on(b).get("/membre/").text
    say("B: the representative's session from A is valid on B")

    # --- B's cached page follows a save made on A ------------------------------------------------
    assert visitor_b.get(member_url).headers["X-Page-Cache"] == "hit"
    representative.post_form("/membre/profil/", "description", {"description": "Deuxième version, sur A."})
    again = visitor_b.get(member_url)
    assert "Deuxième version, sur A." in again.text and again.headers["X-Page-Cache"] == "miss"
    say("B: its cached member page was retired by the save on A (shared Redis): the new text at once")

    # --- Published on A, downloaded from B ----------------------------------------------------
    director = Browser(a)
    assert director.log_in(DIRECTOR, DEMO_PASSWORD).headers["location"].startswith("/admin/")
    readiness = f"/rapports/{REPORT_YEAR}/verification/"
    token = director.form(readiness, "csrfmiddlewaretoken")["csrfmiddlewaretoken"]
    published = director.client.post(
        f"/rapports/{REPORT_YEAR}/publier/", data={"csrfmiddlewaretoken": token}, headers={"Referer": a + readiness}
    )
    assert published.status_code == 302, published.text[:2000]
    say("A: the Direction clicked « Publier »; the click answered at once, the worker renders")

    def publication():
        state = director.on(b).get(f"/rapports/{REPORT_YEAR}/publication/").json()
        return state if state["state"] in ("done", "failed") else None

    outcome = wait_for(publication, attempts=1200)
    assert outcome and outcome["state"] == "done", (outcome, two_servers["worker_log"].read_text()[-3000:])
    assert "Task reports.tasks.publish_report" in two_servers["worker_log"].read_text()
    say(f"B: the page that follows the task reads version {outcome['version']}, rendered by the worker")
    private_keys = bucket_keys(s3, two_servers["private"])
    assert len(private_keys) == 2 and {Path(key).suffix for key in private_keys} == {".pdf", ".html"}
    public_pdf = Browser(b).get(f"/rapports/{REPORT_YEAR}.pdf")
    assert public_pdf.status_code == 200 and public_pdf.content.startswith(b"%PDF")
    archived = s3.get_object(Bucket=two_servers["private"], Key=next(k for k in private_keys if k.endswith(".pdf")))
    assert hashlib.sha256(public_pdf.content).hexdigest() == hashlib.sha256(archived["Body"].read()).hexdigest()
    staff_copy = director.on(b).get(f"/rapports/{REPORT_YEAR}/versions/1.pdf")
    assert staff_copy.content == public_pdf.content
    text = subprocess.run(["pdftotext", "-", "-"], input=public_pdf.content, capture_output=True).stdout.decode()
    assert "Rapport annuel" in text or "RAPPORT ANNUEL" in text
    say(f"B: the archived PDF ({len(public_pdf.content)} bytes) downloads byte for byte, from the private bucket")
    import httpx

    for key in private_keys:  # the private bucket's own address refuses anyone else
        assert httpx.get(f"{s3.meta.endpoint_url}/{two_servers['private']}/{key}").status_code == 403
    say("the private bucket refuses its files to anyone but the app (403)")

    # --- A registration on B: its e-mail sent by the worker ----------------------------------------
    visitor = Browser(b)
    calendar = visitor.get("/activites/")
    event_url = re.search(r'href="(/activites/\d+/)"', calendar.text)[1]
    registered = visitor.post_form(
        event_url,
        "email",
        {
            "name": "Aline Deux-Serveurs",
            "email": "aline@exemple.org",
            "member": "",
            "organisation": "Voisins solidaires",
            "site_web": "",
        },
    )
    errors = re.findall(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)</', registered.text, re.S)
    assert registered.status_code == 302, (event_url, errors)
    sent = wait_for(lambda: [m for m in two_servers["smtp"].messages if "aline@exemple.org" in m["To"]], attempts=240)
    assert sent, two_servers["worker_log"].read_text()[-3000:]
    assert (
        "Task pole.tasks" in two_servers["worker_log"].read_text() or "deliver" in two_servers["worker_log"].read_text()
    )
    say(f"B: a visitor registered; the worker sent « {sent[0]['Subject']} » to aline@exemple.org over SMTP")
    # The e-mailed link, opened on A: it confirms the registration, and the worker sends the confirmation.
    body = sent[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/activites/confirmation/[^/\s]+/)", body)[1]
    on_a = visitor.on(a)
    button = on_a.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', button.text)[1]
    assert on_a.client.post(link, data={"csrfmiddlewaretoken": token}).status_code == 302
    confirmed = wait_for(
        lambda: [m for m in two_servers["smtp"].messages if "aline@exemple.org" in m["To"]][1:], attempts=240
    )
    assert confirmed and confirmed[0]["Subject"].strip().startswith("Inscription confirmée"), confirmed
    say(f"A: the link confirmed it; the worker sent « {confirmed[0]['Subject']} »")

    # --- Locked on A, refused on B --------------------------------------------------------------
    intruder = Browser(a)
    statuses = [intruder.log_in(DIRECTOR, f"mauvais-{n}").status_code for n in range(5)]
    assert statuses[-1] == 429, statuses
    refused = Browser(b).log_in(DIRECTOR, DEMO_PASSWORD)
    assert refused.status_code == 429 and "Trop de tentatives" in refused.text
    say(f"A: five wrong passwords lock the account ({statuses}); B refuses the right one (429)")

    # --- Nothing landed in either server's own folders ---------------------------------------------
    for name in ("A", "B"):
        for folder in ("media", "private"):
            assert local_files(two_servers["tmp"] / name / folder) == [], (name, folder)
    say("neither server wrote a file of its own: no media, no private file on their disks")
