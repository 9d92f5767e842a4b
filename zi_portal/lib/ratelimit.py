"""Per-client rate limits for the public pages, counted in Django's cache (Redis in production, so every gunicorn
worker shares the count; per process with the local memory cache).

Why Django's cache and not a library: the portal already runs its cache on Redis with a tolerant backend
(zi_portal/lib/cache.py), and what is needed is one fixed-window counter per client and page — `cache.add` then
`cache.incr`, atomic on Redis. django-ratelimit does the same through a decorator, but a decorator runs after the
CSRF middleware has read the request body; a middleware refuses before a byte of an upload is read. When the cache
cannot count (Redis down), requests pass: the limits protect against floods, they must not lock people out.

RATE_LIMITS maps a URL name to {method: (requests, seconds)}; the client is `client_ip` (X-Real-IP behind our
proxy only). Past the limit the answer is 429 with Retry-After and an Indonesian page.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .cache import UNREACHABLE
from .client import client_ip
from .limits import view_name


def hit(*, scope: str, client: str, limit: int, seconds: int) -> int | None:
    """Count one request of `client` in `scope`; return seconds to wait when past `limit`, else None."""
    window = int(time.time() // seconds)
    key = f"ratelimit:{scope}:{client}:{window}"
    try:
        cache.add(key, 0, seconds + 1)
        count = cache.incr(key)
    except (ValueError, *UNREACHABLE):  # not counted (the cache is down or keeps nothing): let it pass
        return None
    if count > limit:
        return max(1, (window + 1) * seconds - int(time.time()))
    return None


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limits = settings.RATE_LIMITS
        if limits:
            name = view_name(request)
            rate = limits.get(name, {}).get(request.method)
            if rate:
                limit, seconds = rate
                wait = hit(scope=f"{name}:{request.method}", client=client_ip(request) or "-", limit=limit,
                           seconds=seconds)
                if wait is not None:
                    response = too_many_requests(request, wait)
                    response["Connection"] = "close"  # an upload's body is not read
                    return response
        return self.get_response(request)


def too_many_requests(request, wait: int):
    """The Indonesian 429 page with Retry-After."""
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
