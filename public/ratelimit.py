"""The anonymous pages' rate limit: `PUBLIC_RATE_LIMIT` requests per client address (`client_ip`: X-Real-IP behind
our proxy) per `PUBLIC_RATE_WINDOW` seconds, all public pages together, then the portal's 429 page with
Retry-After. Counted by the same fixed-window counter as the verification page (`zi_portal.lib.ratelimit`), so a
cache that cannot count lets the request through: an outage must not lock citizens out.
"""
import functools

from django.conf import settings

from actionplan.audit import client_ip
from zi_portal.lib.ratelimit import hit, too_many_requests


def rate_limited(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.PUBLIC_RATE_LIMIT:
            wait = hit(scope="public", client=client_ip(request) or "-", limit=settings.PUBLIC_RATE_LIMIT,
                       seconds=settings.PUBLIC_RATE_WINDOW)
            if wait is not None:
                return too_many_requests(request, wait)
        return view(request, *args, **kwargs)
    return wrapped
