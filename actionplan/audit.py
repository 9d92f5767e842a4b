"""The audit trail: one helper every service calls inside its transaction."""
from typing import Any

from django.db import models

from zi_portal.lib.client import client_ip  # noqa: F401 — recorded with every event; imported from here

from .audit_actions import ACTION_LABELS, action_label  # noqa: F401 — the trail's labels, imported from here
from .models import AuditEvent


def audit_record(*, actor, action: str, unit=None, unit_id: int | None = None, obj: models.Model | None = None,
                 summary: str = "", data: dict[str, Any] | None = None, ip: str | None = None):
    """Append one AuditEvent (who, when, what, from where). Call it in the same transaction as the change."""
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
