"""The oversell test: many people register at once for an event's last seats, on gunicorn.

``manage.py oversell`` (performance/management/commands/oversell.py) drives it, with the
shared server launcher (performance/launcher.py):

1. a fresh database (``<name>_oversell``), migrated;
2. ``prepare`` (child process): one event of ``capacity`` seats, all but ``free`` of them
   already taken by confirmed registrations;
3. gunicorn (several workers, several threads each) serves it; ``people`` threads each open
   the event's page (their own cookies and CSRF token), wait at a barrier so that they all
   post together, then post the registration form. They are visitors, not logged in: each
   registration waits for its e-mailed link, and a free seat is held for it meanwhile;
4. ``read-back`` (child process): exactly ``free`` registrations hold a seat, none is confirmed;
5. the same people open their confirmation links (read from the database, as from their
   mailboxes) and press « Confirmer » all at once;
6. ``read-back`` again: the registrations as stored.

The run passes when every POST was answered 302, exactly ``free`` of them got a seat, the
others are on the waiting list with positions 1 … n, and no seat is oversold or held twice.
"""

import json
import signal
import threading
import time
import uuid
from pathlib import Path

from performance import launcher, loadtest

EVENT_TITLE = "Essai de survente : les dernières places"


def prepare(*, capacity, free):
    """Create the event with ``capacity - free`` seats taken; return its id."""
    import datetime

    from django.utils import timezone

    from activities.models import Activity, Registration

    event = Activity.objects.create(
        title=EVENT_TITLE,
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        registration_open=True,
        capacity=capacity,
    )
    Registration.objects.bulk_create(
        Registration(activity=event, name=f"Déjà inscrite {i}", email=f"deja-{i}@essai.exemple.org")
        for i in range(capacity - free)
    )
    return {"event": event.pk}


def read_back(event):
    """Return the stored registrations of ``event``: counts by status, seats held, the crowd's links."""
    from activities.models import Registration

    rows = list(
        Registration.objects.filter(activity_id=event)
        .order_by("created_at", "pk")
        .values("email", "status", "seat_held_until", "cancel_token")
    )
    return {
        "confirmed": sum(r["status"] == "confirmed" for r in rows),
        "waiting": sum(r["status"] == "waiting" for r in rows),
        "cancelled": sum(r["status"] == "cancelled" for r in rows),
        "pending": sum(r["status"] == "pending" for r in rows),
        "held": sum(r["status"] == "pending" and r["seat_held_until"] is not None for r in rows),
        "emails": [r["email"] for r in rows if r["email"].endswith("@foule.exemple.org")],
        "distinct_emails": len({r["email"] for r in rows}),
        "total": len(rows),
        "links": {r["email"]: f"/activites/confirmation/{r['cancel_token']}/" for r in rows if r["status"] == "pending"},
    }


def _person(index, base_url, url, field, data, barrier, results, lock):
    """Open ``url`` (with one's own cookies), wait at the barrier, post its form with ``data``."""
    import httpx

    outcome = {"index": index, "email": data.get("email")}
    # A new connection for each request: gunicorn closes a connection idle for 2 s (its keep-alive),
    # and the wait at the barrier would leave the page's connection idle that long.
    headers = {"Connection": "close"}
    with httpx.Client(base_url=base_url, timeout=120, follow_redirects=False, headers=headers) as client:
        try:
            page = client.get(url)
            fields = loadtest.form_fields(page.text, field)
        except Exception as error:  # any failure of the exchange counts
            fields, outcome["error"] = {}, f"GET: {type(error).__name__}: {error}"
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            outcome.setdefault("error", "the others never came to the barrier")
        if "error" not in outcome:
            fields.update(data)
            started = time.perf_counter()
            try:
                response = client.post(url, data=fields)
                outcome.update(status=response.status_code, location=response.headers.get("location", ""))
            except Exception as error:
                outcome["error"] = f"POST: {type(error).__name__}: {error}"
            outcome["seconds"] = time.perf_counter() - started
    with lock:
        results.append(outcome)


def _crowd(base_url, people):
    """``people`` requests at once, after a barrier: ``people`` is a list of (url, field, data)."""
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request says nothing here
    barrier = threading.Barrier(len(people))
    results, lock = [], threading.Lock()
    threads = [
        threading.Thread(target=_person, args=(i, base_url, url, field, data, barrier, results, lock))
        for i, (url, field, data) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def storm(base_url, *, event, people):
    """Send ``people`` registrations at once (after a barrier); return each one's outcome and the time taken."""
    crowd = [
        (
            f"/activites/{event}/",
            "name",
            {
                "name": f"Personne {index}",
                "email": f"personne-{index}@foule.exemple.org",
                "organisation": "Foule inc.",
                "phone": "418 555-0134",
            },
        )
        for index in range(people)
    ]
    return _crowd(base_url, crowd)


def confirm_storm(base_url, *, links):
    """Everyone opens their confirmation link and presses « Confirmer » at once (``links``: e-mail → path)."""
    return _crowd(base_url, [(link, "csrfmiddlewaretoken", {"email": email}) for email, link in sorted(links.items())])


def _refused(results, what):
    """A problem naming the requests not answered 302 (``what``: « requests »), or none."""
    errors = [r for r in results if "error" in r or r.get("status") != 302]
    return [f"{len(errors)} {what} failed or were refused, e.g. {errors[:3]}"] if errors else []


def check_holds(*, capacity, free, people, results, stored):
    """After the registrations: exactly ``free`` seats held, none confirmed beyond those taken before."""
    problems = _refused(results, "registrations")
    if stored["held"] != free:
        problems.append(f"{stored['held']} seats held for {free} free seats")
    if stored["confirmed"] != capacity - free:
        problems.append(f"{stored['confirmed']} confirmed before any confirmation link was opened")
    if stored["pending"] != people:
        problems.append(f"{stored['pending']} registrations to confirm, {people} expected")
    return problems


def check(*, capacity, free, people, results, stored):
    """Return the run's figures and its problems (an empty list when nothing was oversold or lost)."""
    problems = _refused(results, "requests")
    if stored["confirmed"] != capacity:
        problems.append(f"{stored['confirmed']} confirmed for {capacity} seats")
    if stored["confirmed"] > capacity:
        problems.append("OVERSOLD")
    if stored["waiting"] != people - free:
        problems.append(f"{stored['waiting']} waiting, {people - free} expected")
    if len(stored["emails"]) != people or stored["distinct_emails"] != stored["total"]:
        problems.append("a registration is missing or doubled")
    timings = sorted(r["seconds"] for r in results if "seconds" in r)
    figures = {
        "people": people,
        "capacity": capacity,
        "free_seats": free,
        "posts_answered_302": sum(r.get("status") == 302 for r in results),
        "confirmed": stored["confirmed"],
        "waiting": stored["waiting"],
        "post_p50_ms": round(loadtest.percentile(timings, 0.5) * 1000, 1) if timings else None,
        "post_p95_ms": round(loadtest.percentile(timings, 0.95) * 1000, 1) if timings else None,
        "post_max_ms": round(timings[-1] * 1000, 1) if timings else None,
    }
    return figures, problems


def run(*, database_url, workdir, people=200, capacity=50, free=20, workers=4, threads=8, out=print):
    """Prepare, serve, storm and read back; return ``(figures, problems)``."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    # Debug on spares collectstatic (the page's assets are not fetched); the seats are what is measured.
    environment = launcher.server_environment(database_url=database_url, workdir=workdir, debug=True)
    # Every person posts from 127.0.0.1: the per-address spam limit must let them all through.
    environment["POLE_REGISTRATION_LIMIT_PER_HOUR"] = str(people * 2)
    log_path = workdir / "oversell.log"
    with open(log_path, "w") as log:
        launcher.create_database(database_url, replace=True)
        try:
            launcher.manage("migrate", "--noinput", environment=environment, log=log)
            state_file = workdir / "state.json"
            launcher.manage(
                "oversell",
                "--phase=prepare",
                f"--capacity={capacity}",
                f"--free={free}",
                f"--state={state_file}",
                environment=environment,
                log=log,
            )
            event = json.loads(state_file.read_text())["event"]
            port = launcher.free_port()
            base_url = f"http://127.0.0.1:{port}"
            server = launcher.start_gunicorn(
                port=port, workers=workers, threads=threads, backlog=2048, environment=environment, log=log
            )
            try:
                launcher.wait_until_serving(base_url, server)
                out(
                    f"gunicorn ({workers} workers × {threads} threads): {people} registrations at once "
                    f"for the last {free} of {capacity} seats…"
                )
                results, elapsed = storm(base_url, event=event, people=people)
                held = _read_back(event, workdir, "held", environment, log)
                hold_problems = check_holds(capacity=capacity, free=free, people=people, results=results, stored=held)
                out(f"{held['held']} seats held, {held['pending']} registrations to confirm; all confirm at once…")
                confirmations, confirm_elapsed = confirm_storm(base_url, links=held["links"])
            finally:
                launcher.stop(server)
            if server.returncode not in (0, -signal.SIGTERM):
                out(f"gunicorn ended with status {server.returncode}")
            stored = _read_back(event, workdir, "stored", environment, log)
        finally:
            launcher.drop_database(database_url)
    figures, problems = check(
        capacity=capacity, free=free, people=people, results=results + confirmations, stored=stored
    )
    figures.update(
        seats_held=held["held"],
        seconds=round(elapsed, 2),
        confirm_seconds=round(confirm_elapsed, 2),
        workers=workers,
        threads=threads,
        log=str(log_path),
    )
    return figures, hold_problems + problems


def _read_back(event, workdir, name, environment, log):
    """The registrations as stored, read by a child process (the app's own settings and database)."""
    back_file = Path(workdir) / f"read_back_{name}.json"
    launcher.manage(
        "oversell", "--phase=read-back", f"--event={event}", f"--state={back_file}", environment=environment, log=log
    )
    return json.loads(back_file.read_text())


def oversell_database_url(url):
    """``url`` with ``_oversell`` added to its database's name (never the configured database)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "pole"
    return urlunsplit(parts._replace(path=f"/{name}_oversell_{uuid.uuid4().hex[:6]}"))
