"""A load test of the app as deployed: gunicorn on a fresh database holding the demo.

``manage.py loadtest`` (performance/management/commands/loadtest.py) drives it:

1. ``create_database``: a new, empty database (PostgreSQL or a SQLite file);
2. ``prepare`` (in a child process pointed at that database): migrate, the demo with its
   images, and one representative account (a contact with a user) for each of N listed
   members; ``collectstatic`` for the production static storage;
3. gunicorn with debug off serves it on 127.0.0.1, and threads play, for a fixed time:
   representatives editing their profile (form, then a POST carrying a unique marker),
   visitors on the directory (list, search, detail) and the published report, and the
   director downloading the report's PDF again and again. A smoke run is bounded by counts
   instead (``requests_per_kind``): each simulated person makes that many requests of each
   of its kinds, then stops, however slow the machine;
4. ``verify`` (child process): every accepted edit (302 after the POST) must be the
   member's final description if it was its last, and be in the history table.

Any 5xx, unexpected status, exception or lost edit is a failure. The figures (requests
per second, p50/p95/p99 overall and per kind) are printed and written as JSON.

Before the people play, the **page rates** (``measure_pages``): each anonymous public page
(home, directory, a member's page, calendar, an event's page, report list, the published
report) and a bare Django view (``performance/views.py``: « ok » through the middleware, no
database) are requested ``page_requests`` times by ``concurrency`` (4) clients at once — with
Apache's ``ab`` when installed (Debian's apache2-utils), else the load test's own client — and
each page's rate is printed as a ratio of the bare view's (measured before and after the pages,
the mean of the two is the yardstick). ``servers`` starts several gunicorns (one port each) and
spreads the people over them.
"""

import json
import logging
import math
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from performance.launcher import (
    create_database,
    drop_database,
    free_port,
    manage,
    server_environment,
    start_gunicorn,
    stop,
    wait_until_serving,
)

REPORT_YEAR = "2016-2017"
REPRESENTATIVE_EMAIL = "charge-{index}@charge.exemple.org"
DIRECTOR_EMAIL = "direction@exemple.org"
SEARCH_TERMS = ["coop", "économie", "alimentation", "Québec", "mutuelle", "services", "ÉCOLE", "zzz-rien"]
MARKER_PATTERN = re.compile(r"\[charge:([0-9a-f]{32})\]")


# --- Figures -------------------------------------------------------------------------------


def percentile(values, fraction):
    """Return the nearest-rank percentile of ``values`` (``fraction`` of 1), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Recorder:
    """Every request's kind, duration and outcome, written by many threads."""

    timings: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    edits: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, kind, seconds, error=None):
        with self.lock:
            self.timings[kind].append(seconds)
            if error:
                self.errors.append({"kind": kind, "error": error})

    def error(self, kind, error):
        """Record an error that is not a request's (no timing)."""
        with self.lock:
            self.errors.append({"kind": kind, "error": error})

    def edit(self, *, member, marker, description, outcome):
        with self.lock:
            self.edits.append({"member": member, "marker": marker, "description": description, "outcome": outcome})

    def summary(self, elapsed):
        """Return the run's figures: totals, requests per second, latency percentiles in ms."""

        def figures(values):
            return {
                "requests": len(values),
                "p50_ms": _ms(percentile(values, 0.50)),
                "p95_ms": _ms(percentile(values, 0.95)),
                "p99_ms": _ms(percentile(values, 0.99)),
                "max_ms": _ms(max(values) if values else None),
            }

        every = [seconds for values in self.timings.values() for seconds in values]
        return {
            "seconds": round(elapsed, 1),
            "requests_per_second": round(len(every) / elapsed, 1) if elapsed else None,
            "overall": figures(every),
            "kinds": {kind: figures(values) for kind, values in sorted(self.timings.items())},
            "errors": len(self.errors),
            "error_samples": self.errors[:20],
        }


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def check_edits(edits, final_descriptions, history_descriptions):
    """Check that no accepted profile edit was lost; return the verification's figures.

    ``edits`` lists each POST in the order its representative sent it (``outcome``:
    ``accepted`` for a 302, ``refused`` for another status, ``unknown`` when no answer
    came, so the save may or may not have happened). ``final_descriptions`` maps a member
    to its description after the run; ``history_descriptions`` to every description its
    history table holds.
    """
    by_member = defaultdict(list)
    for edit in edits:
        by_member[edit["member"]].append(edit)
    accepted = verified = 0
    lost = []
    for member, member_edits in by_member.items():
        history_markers = {m for text in history_descriptions.get(member, ()) for m in MARKER_PATTERN.findall(text)}
        for edit in member_edits:
            if edit["outcome"] != "accepted":
                continue
            accepted += 1
            if edit["marker"] in history_markers:
                verified += 1
            else:
                lost.append({"member": member, "marker": edit["marker"], "problem": "missing from the history"})
        last = max((i for i, e in enumerate(member_edits) if e["outcome"] == "accepted"), default=None)
        if last is None:
            continue
        # A later edit whose answer never came may have been saved after the last accepted one.
        possible = {member_edits[last]["description"]} | {
            e["description"] for e in member_edits[last + 1 :] if e["outcome"] == "unknown"
        }
        if final_descriptions.get(member) not in possible:
            lost.append(
                {"member": member, "marker": member_edits[last]["marker"], "problem": "not the final description"}
            )
    return {"edits_sent": len(edits), "edits_accepted": accepted, "edits_verified": verified, "lost": lost}


# --- HTML forms ------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """Read the fields of a page's POST forms, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.fields = None
        self.textarea = None
        self.textareas = set()
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.fields = {}
            self.forms.append(self.fields)
        if self.fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            elif kind not in ("file", "submit", "button", "image", "reset"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.textareas.add(name)
            self.fields[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.fields = None

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data


def form_fields(html, field):
    """Return the fields of the page's POST form that has ``field`` (an empty dict when none has)."""
    reader = FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if field in fields:
            for name in reader.textareas & set(fields):
                # A browser drops the newline that follows <textarea>; the parser keeps it.
                fields[name] = fields[name].removeprefix("\n")
            return fields
    return {}


# --- Virtual users -------------------------------------------------------------------------


class User(ABC):
    """One simulated person with their own cookies, looping until the deadline or its counts.

    Give ``deadline`` (a ``time.monotonic()`` value) for a run of fixed duration, or
    ``requests_per_kind`` for a run bounded by counts: the person stops once it has made that
    many requests of each of its ``kinds`` (failed ones included), or gives up, recording an
    error, after a bounded number of steps that did not get there (a login that keeps failing).
    """

    kind = "user"
    # The kinds of request whose counts end a counted run.
    kinds = ()

    def __init__(self, base_url, recorder, deadline, seed, *, requests_per_kind=None):
        import httpx

        if (deadline is None) == (requests_per_kind is None):
            raise ValueError("give either a deadline or a number of requests per kind")
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=120)
        self.recorder = recorder
        self.deadline = deadline
        self.requests_per_kind = requests_per_kind
        self.random = random.Random(seed)
        self.counts = defaultdict(int)
        self.steps = 0
        if requests_per_kind is not None:
            # Enough for every kind with a failed attempt or two along the way.
            self.step_limit = 2 + 3 * requests_per_kind * len(self.kinds)

    def record(self, kind, seconds, error=None):
        self.counts[kind] += 1
        self.recorder.request(kind, seconds, error)

    def call(self, kind, method, url, *, expect=(200,), **kwargs):
        """Send one request and record it; return the response, or None after a failure."""
        started = time.perf_counter()
        try:
            response = self.client.request(method, url, **kwargs)
        except Exception as error:  # any failure of the exchange counts, whatever it is
            self.record(kind, time.perf_counter() - started, f"{type(error).__name__}: {error}")
            return None
        seconds = time.perf_counter() - started
        if response.status_code not in expect:
            self.record(kind, seconds, f"{method} {url}: status {response.status_code}")
            return None
        self.record(kind, seconds)
        return response

    def log_in(self, email, password, *, landing):
        page = self.call("login", "GET", "/connexion/")
        if page is None:
            return False
        fields = form_fields(page.text, "username")
        fields.update(username=email, password=password)
        response = self.call("login", "POST", "/connexion/", data=fields, expect=(302,))
        if response is None:
            return False
        if not response.headers.get("location", "").startswith(landing):
            self.recorder.request("login", 0, f"{email} landed on {response.headers.get('location')}")
            return False
        return True

    def run(self):
        try:
            while not self.finished():
                self.step()
                self.steps += 1
        finally:
            self.client.close()

    def finished(self):
        if self.deadline is not None:
            return time.monotonic() >= self.deadline
        if all(self.counts[kind] >= self.requests_per_kind for kind in self.kinds):
            return True
        if self.steps >= self.step_limit:
            self.recorder.error(
                self.kind,
                f"gave up after {self.steps} steps short of {self.requests_per_kind} requests of each kind "
                f"({', '.join(f'{kind}: {self.counts[kind]}' for kind in self.kinds)})",
            )
            return True
        return False

    def pause_before_retrying(self):
        # A timed run would otherwise hammer a failing login; a counted one is bounded by its steps.
        if self.deadline is not None:
            time.sleep(0.5)

    @abstractmethod
    def step(self):
        """One action of this kind of user (a page, a form, a download)."""


class Representative(User):
    """Logs in once, then edits the organisation's description again and again."""

    kind = "representative"
    kinds = ("profile-form", "profile-save")

    def __init__(self, *args, email, password, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.email, self.password, self.member = email, password, member
        self.logged_in = False

    def step(self):
        if not self.logged_in:
            self.logged_in = self.log_in(self.email, self.password, landing="/membre/")
            if not self.logged_in:
                self.pause_before_retrying()
            return
        page = self.call("profile-form", "GET", "/membre/profil/")
        if page is None:
            return
        fields = form_fields(page.text, "description")
        if "csrfmiddlewaretoken" not in fields or "description" not in fields:
            self.recorder.request("profile-form", 0, "the profile page has no form")
            return
        marker = uuid.uuid4().hex
        description = f"Organisation membre du réseau, modifiée pendant l'essai de charge [charge:{marker}]"
        fields["description"] = description
        started = time.perf_counter()
        try:
            response = self.client.post("/membre/profil/", data=fields)
        except Exception as error:
            self.record("profile-save", time.perf_counter() - started, f"{type(error).__name__}: {error}")
            self.recorder.edit(member=self.member, marker=marker, description=description, outcome="unknown")
            return
        seconds = time.perf_counter() - started
        accepted = response.status_code == 302 and response.headers.get("location", "").startswith("/membre/")
        self.record(
            "profile-save", seconds, None if accepted else f"POST /membre/profil/: status {response.status_code}"
        )
        self.recorder.edit(
            member=self.member, marker=marker, description=description, outcome="accepted" if accepted else "refused"
        )


class Visitor(User):
    """Browses the public directory and reads the published report."""

    kind = "visitor"
    kinds = ("directory-list", "directory-search", "directory-detail", "report-html")
    # How often each page is visited in a timed run.
    WEIGHTS = (0.3, 0.25, 0.3, 0.15)

    def __init__(self, *args, listed, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed = listed

    def next_kind(self):
        if self.requests_per_kind is None:
            return self.random.choices(self.kinds, weights=self.WEIGHTS)[0]
        # A counted run visits each page in turn, so that it ends after exactly its counts.
        return next(kind for kind in self.kinds if self.counts[kind] < self.requests_per_kind)

    def step(self):
        kind = self.next_kind()
        if kind == "directory-list":
            self.call(kind, "GET", "/membres/", params={"page": self.random.choice(["1", "2"])})
        elif kind == "directory-search":
            self.call(kind, "GET", "/membres/", params={"q": self.random.choice(SEARCH_TERMS)})
        elif kind == "directory-detail":
            self.call(kind, "GET", f"/membres/{self.random.choice(self.listed)}/")
        else:
            self.call(kind, "GET", f"/rapports/{REPORT_YEAR}/")


class Director(User):
    """Logs in and downloads the annual report's PDF repeatedly."""

    kind = "director"
    kinds = ("report-pdf",)

    def __init__(self, *args, password, **kwargs):
        super().__init__(*args, **kwargs)
        self.password = password
        self.logged_in = False

    def step(self):
        if not self.logged_in:
            self.logged_in = self.log_in(DIRECTOR_EMAIL, self.password, landing="/admin/")
            if not self.logged_in:
                self.pause_before_retrying()
            return
        response = self.call("report-pdf", "GET", f"/rapports/{REPORT_YEAR}.pdf")
        if response is not None and not response.content.startswith(b"%PDF-"):
            self.recorder.request("report-pdf", 0, "the PDF download is not a PDF")


def drive(
    base_url,
    *,
    representatives,
    visitors,
    listed,
    password,
    seconds=None,
    requests_per_kind=None,
    directors=1,
    seed=2016,
):
    """Run the simulated people against ``base_url`` (or a list of servers, people spread over them);
    return the Recorder and the time taken.

    For ``seconds``, or until each person has made ``requests_per_kind`` requests of each of
    its kinds (give one or the other).
    """
    if (seconds is None) == (requests_per_kind is None):
        raise ValueError("give either seconds or requests_per_kind")
    # httpx logs every request at INFO; the figures say what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    base_urls = [base_url] if isinstance(base_url, str) else list(base_url)
    recorder = Recorder()
    started = time.monotonic()
    deadline = None if seconds is None else started + seconds
    common = {"requests_per_kind": requests_per_kind}
    users = [
        Representative(
            base_urls[i % len(base_urls)],
            recorder,
            deadline,
            seed + i,
            email=r["email"],
            password=password,
            member=r["member"],
            **common,
        )
        for i, r in enumerate(representatives)
    ]
    users += [
        Visitor(base_urls[i % len(base_urls)], recorder, deadline, seed + 1000 + i, listed=listed, **common)
        for i in range(visitors)
    ]
    users += [
        Director(base_urls[i % len(base_urls)], recorder, deadline, seed + 2000 + i, password=password, **common)
        for i in range(directors)
    ]
    threads = [threading.Thread(target=user.run, name=f"{type(user).__name__}-{i}") for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.monotonic() - started


# --- Page rates: each public page against a bare Django view ---------------------------------

BARE_VIEW = "/essai-de-charge/vide/"
AB_RATE = re.compile(r"Requests per second:\s+([0-9.]+)")
AB_FAILED = re.compile(r"Failed requests:\s+([0-9]+)")
AB_NON_2XX = re.compile(r"Non-2xx responses:\s+([0-9]+)")


def public_pages(state):
    """The anonymous public pages measured, by name: (URL)."""
    pages = {
        "home": "/",
        "directory": "/membres/",
        "member page": f"/membres/{state['listed'][0]}/",
        "calendar": "/activites/",
        "report list": "/rapports/",
        "published report": f"/rapports/{REPORT_YEAR}/",
    }
    if state.get("event"):
        pages["event page"] = f"/activites/{state['event']}/"
    return pages


def ab_rate(url, *, requests, concurrency):
    """Requests per second of ``ab -n requests -c concurrency url``; raise RuntimeError on any failure."""
    result = subprocess.run(
        ["ab", "-q", "-n", str(requests), "-c", str(concurrency), url], capture_output=True, text=True, timeout=600
    )
    rate = AB_RATE.search(result.stdout)
    if result.returncode or rate is None:
        raise RuntimeError(f"ab failed on {url}: {result.stderr.strip() or result.stdout[-500:]}")
    failed = int(AB_FAILED.search(result.stdout)[1]) + int((AB_NON_2XX.search(result.stdout) or [0, 0])[1])
    if failed:
        raise RuntimeError(f"ab: {failed} of {requests} requests to {url} failed or were not 2xx")
    return float(rate[1])


def client_rate(url, *, requests, concurrency):
    """The same measure with the load test's own client: ``concurrency`` threads share ``requests`` requests."""
    import httpx

    remaining = [requests]
    lock = threading.Lock()
    failures = []

    def work():
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as error:
                    failures.append(str(error))
                    continue
                if status != 200:
                    failures.append(f"status {status}")

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {requests} requests to {url} failed: {failures[0]}")
    return requests / elapsed


def measure_pages(base_url, pages, *, requests, concurrency=4, tool=None):
    """Measure the bare view, each page, then the bare view again; return the figures with each page's ratio.

    Each page is first requested a few times (the first renders it into the cache).
    ``tool``: ``"ab"`` or ``"client"``; by default ``ab`` when installed.
    """
    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)
    tool = tool or ("ab" if shutil.which("ab") else "client")
    measure = ab_rate if tool == "ab" else client_rate
    rates, cache = {}, {}
    bare_before = measure(base_url + BARE_VIEW, requests=requests, concurrency=concurrency)
    for name, path in pages.items():
        for _ in range(3):
            response = httpx.get(base_url + path, timeout=120)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        cache[name] = response.headers.get("X-Page-Cache", "")
        rates[name] = measure(base_url + path, requests=requests, concurrency=concurrency)
    bare_after = measure(base_url + BARE_VIEW, requests=requests, concurrency=concurrency)
    bare = (bare_before + bare_after) / 2
    return {
        "tool": tool,
        "requests": requests,
        "concurrency": concurrency,
        "bare_view": {"before": round(bare_before, 1), "after": round(bare_after, 1), "mean": round(bare, 1)},
        "pages": {
            name: {
                "path": pages[name],
                "requests_per_second": round(rate, 1),
                "ratio": round(rate / bare, 2),
                "cache": cache[name],
            }
            for name, rate in rates.items()
        },
    }


def page_lines(figures):
    """The page rates as printed lines."""
    bare = figures["bare_view"]
    lines = [
        f"Page rates ({figures['tool']}, {figures['requests']} requests each, {figures['concurrency']} at once): "
        f"bare Django view {bare['mean']} requests/s (before {bare['before']}, after {bare['after']})",
        f"{'page':<18}{'requests/s':>12}{'ratio':>8}  cache",
    ]
    for name, page in figures["pages"].items():
        lines.append(f"{name:<18}{page['requests_per_second']:>12}{page['ratio']:>8}  {page['cache']}")
    return lines


# --- The phases run inside the load test's database (child processes) -----------------------


def prepare(*, representatives, password):
    """Load the demo with its images and give ``representatives`` listed members an account each.

    Return what the simulated people need: their e-mail addresses and members, and the
    ids the directory lists.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from demo.loader import load_demo
    from members.models import Contact
    from members.selectors import directory_members, directory_scope
    from reports.models import AnnualReport

    load_demo(password=password)
    listed = list(directory_members(directory_scope()).values_list("pk", flat=True))
    if len(listed) < representatives:
        raise ValueError(f"only {len(listed)} members are listed in the directory; ask for fewer representatives")
    if not AnnualReport.objects.filter(is_published=True).exists():
        raise ValueError("the demo's annual report is not published")
    accounts = []
    User = get_user_model()
    with transaction.atomic():
        for index, member in enumerate(listed[:representatives]):
            email = REPRESENTATIVE_EMAIL.format(index=index)
            user = User.objects.create_user(email=email, password=password, first_name="Essai", last_name=str(index))
            Contact.objects.create(
                member_id=member, first_name="Essai", last_name=f"Charge {index}", email=email, user=user
            )
            accounts.append({"email": email, "member": member})
    from activities.selectors import calendar_activities

    upcoming, _past, _year = calendar_activities()
    event = upcoming.values_list("pk", flat=True).first()
    return {"representatives": accounts, "listed": listed, "event": event}


def read_back(members):
    """Return each member's final description and every description of its history."""
    from members.models import Member

    final = dict(Member.objects.filter(pk__in=members).values_list("pk", "description"))
    history = defaultdict(list)
    for member, description in Member.history.filter(id__in=members).values_list("id", "description"):
        history[member].append(description)
    return {"final": final, "history": history}


# --- The whole run ---------------------------------------------------------------------------


def run(
    *,
    database_url,
    representatives,
    visitors,
    workers,
    workdir,
    seconds=None,
    requests_per_kind=None,
    replace=False,
    keep_database=False,
    static_root=None,
    debug=False,
    servers=1,
    page_requests=0,
    page_tool=None,
    redis_url=None,
    out=print,
):
    """Prepare, serve, drive and verify; return the results (figures and verification).

    The people play for ``seconds`` or, in a smoke run, until each has made
    ``requests_per_kind`` requests of each of its kinds. ``static_root``: an earlier
    ``collectstatic`` output to serve as it is (one is made in ``workdir`` otherwise).
    ``servers`` gunicorns serve, the people spread over them; ``page_requests`` (when not 0)
    first measures the page rates against the first server (``measure_pages``).
    ``redis_url``: the servers share that Redis as their cache (else the workdir's file cache).
    """
    if (seconds is None) == (requests_per_kind is None):
        raise ValueError("give either seconds or requests_per_kind")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    password = "Essai-de-charge-" + uuid.uuid4().hex[:12]
    environment = server_environment(database_url=database_url, workdir=workdir, static_root=static_root, debug=debug)
    if redis_url:
        environment.update(REDIS_URL=redis_url, POLE_CACHE_PREFIX=f"loadtest-{uuid.uuid4().hex[:12]}")
    state_file = workdir / "state.json"
    log_path = workdir / "loadtest.log"
    with open(log_path, "w") as log:
        out(f"Fresh database {_safe(database_url)}: migrate, demo with images, {representatives} representatives…")
        create_database(database_url, replace=replace)
        try:
            manage("migrate", "--noinput", environment=environment, log=log)
            manage(
                "loadtest",
                "--phase=prepare",
                f"--representatives={representatives}",
                f"--password={password}",
                f"--state={state_file}",
                environment=environment,
                log=log,
            )
            if not debug and not static_root:
                manage("collectstatic", "--noinput", environment=environment, log=log)
            state = json.loads(state_file.read_text())

            ports = [free_port() for _ in range(servers)]
            base_urls = [f"http://127.0.0.1:{port}" for port in ports]
            processes = []
            page_figures = None
            try:
                for port in ports:
                    processes.append(start_gunicorn(port=port, workers=workers, environment=environment, log=log))
                for base_url, server in zip(base_urls, processes, strict=True):
                    wait_until_serving(base_url, server)
                if page_requests:
                    out(f"Page rates at {base_urls[0]}: {page_requests} requests per page, 4 at once…")
                    page_figures = measure_pages(
                        base_urls[0], public_pages(state), requests=page_requests, tool=page_tool
                    )
                until = (
                    f"for {seconds} s"
                    if seconds is not None
                    else f"until each has made {requests_per_kind} requests of each kind"
                )
                out(
                    f"{servers} × gunicorn ({workers} workers) at {', '.join(base_urls)}: {representatives} "
                    f"representatives, {visitors} visitors, 1 director {until}…"
                )
                recorder, elapsed = drive(
                    base_urls,
                    seconds=seconds,
                    requests_per_kind=requests_per_kind,
                    representatives=state["representatives"],
                    visitors=visitors,
                    listed=state["listed"],
                    password=password,
                )
            finally:
                for server in processes:
                    stop(server)
            for server in processes:
                if server.returncode not in (0, -signal.SIGTERM):
                    recorder.request("server", 0, f"gunicorn ended with status {server.returncode}")

            edits_file = workdir / "edits.json"
            edits_file.write_text(json.dumps(recorder.edits))
            members = [r["member"] for r in state["representatives"]]
            manage(
                "loadtest",
                "--phase=read-back",
                f"--state={workdir / 'read_back.json'}",
                f"--members={','.join(map(str, members))}",
                environment=environment,
                log=log,
            )
            stored = json.loads((workdir / "read_back.json").read_text())
        finally:
            if not keep_database:
                drop_database(database_url)
    final = {int(k): v for k, v in stored["final"].items()}
    history = {int(k): v for k, v in stored["history"].items()}
    results = recorder.summary(elapsed)
    results["edits"] = check_edits(recorder.edits, final, history)
    if page_figures is not None:
        results["page_rates"] = page_figures
    results["setup"] = {
        "database": _safe(database_url).split("://")[0],
        "workers": workers,
        "servers": servers,
        "cache": "redis" if redis_url else "files",
        "debug": debug,
        "seconds": seconds,
        "requests_per_kind": requests_per_kind,
        "representatives": representatives,
        "visitors": visitors,
        "directors": 1,
        "cpus": os.cpu_count(),
    }
    results["log"] = str(log_path)
    return results


def _safe(url):
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def failed(results):
    """Tell whether the run failed: any error or any lost edit."""
    return bool(results["errors"] or results["edits"]["lost"] or not results["edits"]["edits_accepted"])


def report_lines(results):
    """The results as the lines printed at the end of a run."""
    overall = results["overall"]
    lines = [
        f"{overall['requests']} requests in {results['seconds']} s: {results['requests_per_second']} requests/s, "
        f"p50 {overall['p50_ms']} ms, p95 {overall['p95_ms']} ms, p99 {overall['p99_ms']} ms",
        f"{'kind':<18}{'requests':>9}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}",
    ]
    for kind, figures in results["kinds"].items():
        lines.append(
            f"{kind:<18}{figures['requests']:>9}{figures['p50_ms']:>10}{figures['p95_ms']:>10}"
            f"{figures['p99_ms']:>10}{figures['max_ms']:>10}"
        )
    edits = results["edits"]
    if results.get("page_rates"):
        lines = page_lines(results["page_rates"]) + lines
    lines.append(f"errors: {results['errors']}")
    for sample in results["error_samples"][:5]:
        lines.append(f"  {sample['kind']}: {sample['error']}")
    lines.append(
        f"profile edits: {edits['edits_sent']} sent, {edits['edits_accepted']} accepted, "
        f"{edits['edits_verified']} found in the history, {len(edits['lost'])} lost"
    )
    return lines
