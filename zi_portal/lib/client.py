"""Who is asking: the client address recorded in the audit trail and used by the login lockout and rate limits."""
from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, for the audit trail and the login lockout. Behind our proxy (BEHIND_PROXY, nginx
    sets X-Real-IP to the connecting address, overwriting whatever a client sent) that header; else REMOTE_ADDR.
    Without BEHIND_PROXY the header is ignored, so a client cannot choose the address it is recorded under."""
    if request is None:
        return None
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"].strip()
    return request.META.get("REMOTE_ADDR")
