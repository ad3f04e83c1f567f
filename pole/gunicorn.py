"""Gunicorn's settings for production: ``gunicorn pole.wsgi -c pole/gunicorn.py``.

Read from the environment like the app's settings (README, Production):
GUNICORN_BIND (``0.0.0.0:8000``), WEB_CONCURRENCY (worker processes, 3) and
GUNICORN_TIMEOUT (seconds, 60: a PDF of the annual report takes a few seconds to render).

Forwarded headers follow DJANGO_SECURE_PROXY, the setting the app reads (pole/settings.py).
Gunicorn sets ``wsgi.url_scheme`` to https when a peer it trusts sends
``X-Forwarded-Proto: https``, and Django then takes the request for a secure one, even
without SECURE_PROXY_SSL_HEADER. Gunicorn's default trusts 127.0.0.1; here:

- DJANGO_SECURE_PROXY false (the default): no peer is trusted, and no header changes the
  scheme, not even from a UNIX socket (which gunicorn trusts whatever the addresses);
- DJANGO_SECURE_PROXY true: the proxy's addresses, GUNICORN_FORWARDED_ALLOW_IPS
  (comma-separated addresses or networks, ``127.0.0.1,::1`` by default: a proxy on the
  same machine; ``*`` trusts every peer, only for a port that nothing but the proxy can
  reach), may set X-Forwarded-Proto, the one header Django reads.
"""

import os
import sys
from pathlib import Path

# Gunicorn reads this file before the project is on the import path when started from
# another folder (``--chdir``).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from pole.env import env_bool, env_int, env_str  # noqa: E402


def _setting(read, *args, **kwargs):
    """Read a variable with pole.env's helpers; a bad value stops gunicorn with their message."""
    try:
        return read(*args, **kwargs)
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None


wsgi_app = "pole.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "").strip() or "0.0.0.0:8000"
workers = _setting(env_int, "WEB_CONCURRENCY", 3, minimum=1)
timeout = _setting(env_int, "GUNICORN_TIMEOUT", 60, minimum=1)
# Requests on standard output, gunicorn's own messages on standard error; the app's logs
# go to standard output too (LOGGING in pole/settings.py).
accesslog = "-"
errorlog = "-"

if _setting(env_bool, "DJANGO_SECURE_PROXY", False):
    forwarded_allow_ips = env_str("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
# The PROXY protocol is off (gunicorn's default); should it be turned on, the same peers.
proxy_allow_ips = forwarded_allow_ips
# The app is served at the site's root: no header may change SCRIPT_NAME or PATH_INFO.
forwarder_headers = ""
