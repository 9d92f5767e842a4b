"""Small database helpers shared by the apps' services: lock order and one retry of a deadlocked transaction."""
from __future__ import annotations

import functools
import logging

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)


def is_deadlock(exc: BaseException) -> bool:
    """A PostgreSQL deadlock (SQLSTATE 40P01) or serialization failure (40001), as wrapped by Django."""
    cause = exc.__cause__ or exc
    return getattr(cause, "sqlstate", None) in ("40P01", "40001") or getattr(cause, "pgcode", None) in (
        "40P01", "40001")


def retry_once_on_deadlock(fn):
    """Run `fn` (which opens its own transaction) again once when PostgreSQL chose it as a deadlock victim. Only
    outside an outer transaction: inside one, the whole outer transaction is already lost."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if not is_deadlock(exc) or connection.in_atomic_block:
                raise
            logger.warning("%s: deadlock, retrying once", fn.__qualname__)
            return fn(*args, **kwargs)
    return wrapper


def lock_plan_shared(plan_id: int) -> bool:
    """Take a shared lock on a plan row, first in a transaction that writes below it (revisions, reviews), so
    such writers and a plan replacement (which locks the plan row FOR UPDATE first) always lock in the same order:
    plan, then targets and revisions. Writers below one plan do not block each other. Returns whether the plan
    still exists. On SQLite (one writer at a time) only the existence is checked."""
    from actionplan.models import Plan

    table = connection.ops.quote_name(Plan._meta.db_table)
    suffix = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s{suffix}", [plan_id])  # noqa: S608 - no user input
        return cursor.fetchone() is not None
