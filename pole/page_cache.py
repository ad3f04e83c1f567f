"""Public pages at the speed of a cache, never stale after a save.

``@public_page`` caches what an anonymous visitor gets from a view (the home page, the
directory and its member pages, the calendar and the event pages, the report list, the
published report) in Django's cache — Redis shared by every server, or the file cache — and
serves it again without running the view.

**When a page is served from the cache.** A GET or HEAD without a session or messages
cookie: no one is logged in and no message waits, so the page is the one every visitor gets.
Anyone with a session (staff, representatives, a visitor who just registered) gets the view
itself. A page is kept only when the view answered 200, set no cookie but the CSRF one,
changed no session and queued no message.

**Never stale.** Every cached page is stored with the *data generation* it was rendered in,
and served only while that generation is current. Any write to a table that public pages may
show — whatever made it: the admin, the portal, an import's bulk inserts, a service, a task,
``manage.py`` — starts a new generation once its transaction commits (and at once for the
connection that made it). Writes are seen on the database connection itself
(``connection.execute_wrappers``: INSERT, UPDATE, DELETE, TRUNCATE), so no save can slip past
a signal. Writes to tables no public page shows (sessions, login attempts and logs, the admin's
log, accounts, invitations…) do not count: ``IGNORED_MODELS``. The page also
carries the local date (« upcoming » events turn past at midnight), the language, the host, the
static files' manifest, and an optional end of validity (``expires``: an event's registration
deadline). A ``migrate`` (every deployment runs one) and any change of settings in tests start a
new generation too.

**Forms.** The CSRF token of a cached page's forms (the event page's registration form) is
replaced when stored and a fresh token of the visitor's own is put back in each time it is
served, with the CSRF cookie that goes with it.

``X-Page-Cache`` tells what happened: ``hit``, ``miss`` (rendered and kept), ``bypass``.
"""

import hashlib
import re
import threading
import uuid
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

GENERATION_KEY = "pole:pages:generation"
PAGE_KEY = "pole:page:{digest}"
# A page lives at most a day in the cache; a new generation or date retires it sooner.
TIMEOUT = 60 * 60 * 24
# A longer query string is not cached (a search form's URL is short; a made-up one is not).
MAX_QUERY_STRING = 300
MESSAGES_COOKIE = "messages"
HEADER = "X-Page-Cache"

# Tables whose rows no public page shows: a write to them starts no new generation. Logins
# (last_login, sessions, django-axes), the admin's log, invitations, permissions, the outbox. Anything not listed counts:
# a new model is safe by default.
IGNORED_MODELS = (
    "sessions.session",
    "admin.logentry",
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "auth.group_permissions",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "members.user",
    "members.user_groups",
    "members.user_user_permissions",
    "members.invitation",
    # The e-mail outbox (the task queue's branch): every send and retry updates its rows.
    "pole.outboxmessage",
)

CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = "\x00csrf-token\x00"

# A write as the database sees it: the statement's verb and its first table.
WRITE_STATEMENT = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|REPLACE\s+INTO)\s+(?:ONLY\s+)?["`]?(\w+)',
    re.IGNORECASE,
)

_local = threading.local()
_ignored_tables = None


# --- Generations ------------------------------------------------------------------------------


def new_generation():
    """Start a new data generation: every page cached so far is retired."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    _local.dirty = False


def current_generation(found):
    """The generation in ``found`` (a get_many result), creating one if the cache holds none."""
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def ignored_tables():
    """The tables of ``IGNORED_MODELS`` (lower case), read once."""
    global _ignored_tables
    if _ignored_tables is None:
        _ignored_tables = frozenset(
            model._meta.db_table.lower()
            for model in apps.get_models(include_auto_created=True)
            if model._meta.label_lower in IGNORED_MODELS
        )
    return _ignored_tables


def _after_commit():
    new_generation()


def _written(connection):
    _local.dirty = True
    if connection.in_atomic_block:
        # Once per transaction: the generation changes when it commits, not before, so that no
        # page rendered from the old rows is kept as new.
        if not any(entry[1] is _after_commit for entry in connection.run_on_commit):
            connection.on_commit(_after_commit, robust=True)
    else:
        new_generation()


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper: after a write to a table public pages show, retire the cached pages."""
    result = execute(sql, params, many, context)
    match = WRITE_STATEMENT.match(sql) if isinstance(sql, str) else None
    if match and match[1].lower() not in ignored_tables():
        _written(context["connection"])
    return result


def watch_connection(connection, **kwargs):
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def connect_signals():
    """Watch every database connection's writes (called by PoleConfig.ready)."""
    connection_created.connect(watch_connection, dispatch_uid="pole.page_cache.watch")
    for connection in connections.all(initialized_only=True):
        watch_connection(connection)
    post_migrate.connect(_retire_on_signal, dispatch_uid="pole.page_cache.migrate")
    setting_changed.connect(_retire_on_signal, dispatch_uid="pole.page_cache.settings")


def _retire_on_signal(**kwargs):
    new_generation()


# --- Pages ------------------------------------------------------------------------------------


def expires(request, moment):
    """Say that the page being rendered changes at ``moment`` (an aware datetime): keep it no longer."""
    if moment is None:
        return
    current = getattr(request, "_page_expires", None)
    request._page_expires = moment if current is None else min(current, moment)


def _cacheable(request):
    return (
        getattr(settings, "POLE_PAGE_CACHE", True)
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_STRING
    )


def _static_release():
    from django.contrib.staticfiles.storage import staticfiles_storage

    return getattr(staticfiles_storage, "manifest_hash", "")


def page_key(request):
    parts = [request.scheme, request.get_host(), get_language() or "", request.get_full_path(), _static_release()]
    return PAGE_KEY.format(digest=hashlib.sha256("\x00".join(parts).encode()).hexdigest())


def _storable(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", None)
    if queued:
        return False
    return not (request.user.is_authenticated if hasattr(request, "user") else False)


def _freeze(response, generation, today):
    content = response.content
    has_form = False
    if b"csrfmiddlewaretoken" in content:
        text, count = CSRF_INPUT.subn(lambda m: m[1] + CSRF_PLACEHOLDER + m[2], content.decode(response.charset))
        content, has_form = text.encode(response.charset), bool(count)
    return {
        "generation": generation,
        "date": today,
        "content": content,
        "has_form": has_form,
        "headers": list(response.headers.items()),
    }


def _thaw(request, page):
    content = page["content"]
    if page["has_form"]:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content)
    for name, value in page["headers"]:
        response.headers[name] = value
    return response


def public_page(view):
    """Cache what anonymous visitors get from ``view`` (a function view), as the module's docstring says."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
            response.headers.setdefault(HEADER, "bypass")
            return response
        if getattr(_local, "dirty", False):
            # This thread wrote rows its transaction has not committed yet (a test, a view that
            # saves then renders): its own pages must show them.
            new_generation()
        key = page_key(request)
        today = timezone.localdate().isoformat()
        found = cache.get_many([GENERATION_KEY, key])
        generation = current_generation(found)
        page = found.get(key)
        if page is not None and page["generation"] == generation and page["date"] == today:
            response = _thaw(request, page)
            response.headers[HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)

        def keep(response):
            if not _storable(request, response):
                return
            timeout = TIMEOUT
            until = getattr(request, "_page_expires", None)
            if until is not None:
                timeout = min(timeout, int((until - timezone.now()).total_seconds()))
            if timeout > 0:
                cache.set(key, _freeze(response, generation, today), timeout)
                response.headers[HEADER] = "miss"

        if getattr(response, "is_rendered", True):
            keep(response)
        else:
            # A TemplateResponse (class-based views) is rendered after the view returns.
            response.add_post_render_callback(keep)
            response.render()
        response.headers.setdefault(HEADER, "bypass")
        return response

    return cached_view
