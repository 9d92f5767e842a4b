"""A small fixed-window rate limit for the anonymous pages, kept in Django's cache (Redis in production, so all
gunicorn workers share the count; per-process memory otherwise).

`PUBLIC_RATE_LIMIT` requests per client address (`client_ip`: X-Real-IP behind our proxy) per
`PUBLIC_RATE_WINDOW` seconds; over it, 429 with Retry-After. When the cache cannot count (Redis down, a dummy
cache) the request is let through: the pages are cheap and cached, and an outage must not lock citizens out.
A hand-written limiter rather than django-ratelimit: it is eight lines over the cache the portal already runs.
"""
import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from zi_portal.lib.audit import client_ip
from zi_portal.lib.cache import UNREACHABLE


def over_limit(request) -> bool:
    window = settings.PUBLIC_RATE_WINDOW
    key = f"public:rate:{client_ip(request)}:{int(time.time() // window)}"
    try:
        cache.add(key, 0, window + 1)
        return cache.incr(key) > settings.PUBLIC_RATE_LIMIT
    except (ValueError, *UNREACHABLE):
        return False


def rate_limited(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.PUBLIC_RATE_LIMIT and over_limit(request):
            response = HttpResponse("Terlalu banyak permintaan; coba lagi sebentar lagi.\n", status=429,
                                    content_type="text/plain; charset=utf-8")
            response["Retry-After"] = str(settings.PUBLIC_RATE_WINDOW)
            return response
        return view(request, *args, **kwargs)
    return wrapped
