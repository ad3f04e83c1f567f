"""``/sante/``: the health endpoint a load balancer asks before sending a server traffic.

Built on django-health-check's checks (each with its own time limit, run side by side in a thread
with an event loop of its own, so the view stays a plain WSGI view):
the database (``SELECT 1``), the cache (Redis answers a PING, or the file cache keeps a key),
the public and private storages (a file written, read back and deleted) and, when a task
queue's broker is configured (``CELERY_BROKER_URL``), the broker.

Who sees what: anyone gets a status code and one word — 200 « ok », or 503 « indisponible » —
with no name, address or error; the network's staff (logged in, ``is_staff``) also get each
check's result and time, in French (JSON with ``?format=json``). No personal data either way.
Never cached, never redirected to HTTPS (``SECURE_REDIRECT_EXEMPT``), and reached at the host
names the site answers to (``DJANGO_ALLOWED_HOSTS``).
"""

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.checks import Cache, Database, Storage


@dataclasses.dataclass
class Check:
    """One check of the endpoint: its French label for staff, and the django-health-check probe."""

    label: str
    probe: object


def _redis_probe(url):
    from health_check.contrib.redis import Redis
    from redis.asyncio import Redis as RedisClient

    return Redis(client_factory=lambda: RedisClient.from_url(url, socket_connect_timeout=2, socket_timeout=2))


def _broker_probe(url):
    """A probe of the task queue's broker (Redis or RabbitMQ), or None for a scheme not known here."""
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        return _redis_probe(url)
    if scheme in ("amqp", "amqps", "pyamqp"):
        from health_check.contrib.rabbitmq import RabbitMQ

        return RabbitMQ(amqp_url=url)
    return None


def checks():
    """The checks this configuration calls for."""
    found = [Check(_("Database"), Database())]
    if getattr(settings, "REDIS_URL", None):
        found.append(Check(_("Cache (Redis)"), _redis_probe(settings.REDIS_URL)))
    else:
        found.append(Check(_("Cache"), Cache()))
    found.append(Check(_("Public files"), Storage(alias="default")))
    found.append(Check(_("Private files"), Storage(alias="private")))
    broker = getattr(settings, "CELERY_BROKER_URL", None)
    if broker and not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        probe = _broker_probe(broker)
        if probe is not None:
            found.append(Check(_("Task queue broker"), probe))
    return found


async def _results(found):
    return await asyncio.gather(*(check.probe.get_result() for check in found))


def run_checks(found):
    """Run the checks side by side, each within its time limit; return their results in order.

    In a thread of its own, with an event loop of its own: the view stays a plain WSGI view,
    whatever loop the calling thread may run (a test's browser driver does).
    """
    with ThreadPoolExecutor(max_workers=1) as runner:
        return runner.submit(asyncio.run, _results(found)).result()


@never_cache
@require_safe
def health(request):
    """Public: 200 or 503 and one word; staff: each check's result."""
    found = checks()
    results = run_checks(found)
    healthy = not any(result.error for result in results)
    status = 200 if healthy else 503
    if not _is_staff(request):
        return HttpResponse("ok\n" if healthy else "indisponible\n", status=status, content_type="text/plain")
    rows = [
        {
            "check": check.label,
            "ok": result.error is None,
            "status": _("working") if result.error is None else _("failing: %(error)s") % {"error": result.error},
            "milliseconds": round(result.time_taken * 1000, 1),
        }
        for check, result in zip(found, results, strict=True)
    ]
    if request.GET.get("format") == "json" or "application/json" in request.headers.get("accept", ""):
        return JsonResponse({"ok": healthy, "checks": rows}, status=status, json_dumps_params={"ensure_ascii": False})
    lines = [_("Healthy") if healthy else _("Unavailable")]
    lines += [f"{row['check']} : {row['status']} ({row['milliseconds']} ms)".replace(" :", "\u00a0:") for row in rows]
    return HttpResponse("\n".join(lines) + "\n", status=status, content_type="text/plain; charset=utf-8")


def _is_staff(request):
    """Whether a logged-in staff member asks; False whenever that cannot be known (the database is down)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    try:
        user = request.user
        return bool(user.is_active and user.is_staff)
    except Exception:  # the session store (the database) may be what is down
        return False
