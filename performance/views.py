"""The load test's yardstick: a bare Django view, served only when the load test asks for it.

``/essai-de-charge/vide/`` answers « ok » through the whole middleware stack and nothing else
(no database, no template, no cache). The load test compares each public page's rate with it.
It exists only in a server started with ``POLE_LOADTEST_BARE_VIEW=true`` (pole/urls.py).
"""

from django.http import HttpResponse


def bare(request):
    """Public (load test servers only): « ok », nothing else."""
    return HttpResponse("ok", content_type="text/plain")
