"""The audit trail: one helper every service calls inside its transaction."""
from typing import Any

from django.conf import settings
from django.db import models


def client_ip(request) -> str | None:
    """The client's address, for the audit trail and the login lockout. Behind our proxy (BEHIND_PROXY, nginx
    sets X-Real-IP to the connecting address, overwriting whatever a client sent) that header; else REMOTE_ADDR.
    Without BEHIND_PROXY the header is ignored, so a client cannot choose the address it is recorded under."""
    if request is None:
        return None
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"].strip()
    return request.META.get("REMOTE_ADDR")


def audit_record(*, actor, action: str, unit=None, unit_id: int | None = None, obj: models.Model | None = None,
                 summary: str = "", data: dict[str, Any] | None = None, ip: str | None = None):
    """Append one AuditEvent (who, when, what, from where). Call it in the same transaction as the change."""
    from actionplan.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit_id=unit.pk if unit is not None else unit_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
        ip=ip,
    )
