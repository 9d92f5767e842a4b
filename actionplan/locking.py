"""Row locks on a plan, taken in one order by every writer below it (see lock_plan_shared)."""
from django.db import connection

from .models import Plan


def lock_plan_shared(plan_id: int) -> bool:
    """Take a shared lock on a plan row, first in a transaction that writes below it (revisions, reviews), so
    such writers and a plan replacement (which locks the plan row FOR UPDATE first) always lock in the same order:
    plan, then targets and revisions. Writers below one plan do not block each other. Returns whether the plan
    still exists. On SQLite (one writer at a time) only the existence is checked."""
    table = connection.ops.quote_name(Plan._meta.db_table)
    suffix = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s{suffix}", [plan_id])  # noqa: S608 - no user input
        return cursor.fetchone() is not None
