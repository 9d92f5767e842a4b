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
