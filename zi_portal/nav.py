"""The navigation bar's counts (the context processor `zi_portal.nav.memberships`): one statement per request.

It lives in the project package, above the apps, because it reads across them (plans, evidence, reports,
notifications); the apps import one another in one direction only (tests/test_app_imports.py)."""
import datetime
from functools import cache

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from actionplan.models import (
    SOON_DAYS,
    ActionStep,
    Assignment,
    Component,
    Indicator,
    Membership,
    Plan,
    Role,
    SubComponent,
    Target,
    Unit,
    due_soon_sql,
    needs_date_sql,
    overdue_sql,
)

# The counts each membership row of the navigation bar carries (see _nav_sql), in the order of its columns.
COUNTS = ("overdue", "soon", "sent_back", "queue", "unit_overdue", "undated", "awaiting_signature", "escalations")



def notification_model():
    """The Notification model, imported when first needed (the context processor is loaded with the settings,
    before the app registry is ready)."""
    from notifications.models import Notification

    return Notification


@cache
def _nav_sql() -> str:
    """One statement: a row per membership of the user (or one row without a unit), each with the counts its role
    needs (the others are 0, and the database does not compute them), and the user's unread notifications."""
    from evidence.models import RevisionStatus
    from monev.models import Report

    Notification = notification_model()
    member, unit, notification, target, step, indicator, sub, component, plan, assignment, report = (
        m._meta.db_table for m in (Membership, Unit, Notification, Target, ActionStep, Indicator, SubComponent,
                                   Component, Plan, Assignment, Report))
    in_unit = (f'FROM "{target}" t INNER JOIN "{step}" s ON s.id = t.step_id '
               f'INNER JOIN "{indicator}" i ON i.id = s.indicator_id '
               f'INNER JOIN "{sub}" sc ON sc.id = i.subcomponent_id '
               f'INNER JOIN "{component}" c ON c.id = sc.component_id INNER JOIN "{plan}" p ON p.id = c.plan_id ')
    mine = f'INNER JOIN "{assignment}" a ON a.step_id = t.step_id AND a.user_id = %(user)s '
    unit_is = 'p.unit_id = m.unit_id'

    def count(role: str, sql: str) -> str:
        return f"CASE WHEN m.role = '{role}' THEN (SELECT COUNT(*) {sql}) ELSE 0 END"

    def tally(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def units_where(role: str) -> str:
        return (f'p.unit_id IN (SELECT x.unit_id FROM "{member}" x WHERE x.user_id = %(user)s '
                f"AND x.role = '{role}')")

    # The Anggota's and the Ketua Tim's three counts each come from one pass over the unit's targets (a grouped
    # derived table per role, joined to the membership rows), not from three subqueries that each walk the plan:
    # on a 2,125-target plan the bar cost 1.7 ms of every page before.
    sent_back = f"t.evidence_status = '{RevisionStatus.REVISE}'"
    submitted = f"t.evidence_status = '{RevisionStatus.SUBMITTED}'"
    anggota = (f"SELECT p.unit_id AS unit_id, {tally(overdue_sql())} AS overdue, {tally(due_soon_sql())} AS soon, "
               f"{tally(sent_back)} AS sent_back "
               f"{in_unit}{mine}WHERE {units_where(Role.ANGGOTA)} GROUP BY p.unit_id")
    ketua = (f"SELECT p.unit_id AS unit_id, {tally(submitted)} AS queue, "
             f"{tally(overdue_sql())} AS unit_overdue, {tally(needs_date_sql())} AS undated "
             f"{in_unit}WHERE {units_where(Role.KETUA)} GROUP BY p.unit_id")
    columns = [  # late / due soon / needs a date: the rule of actionplan.models (one rule for every page)
        "COALESCE(ga.overdue, 0)", "COALESCE(ga.soon, 0)", "COALESCE(ga.sent_back, 0)",
        "COALESCE(gk.queue, 0)", "COALESCE(gk.unit_overdue, 0)", "COALESCE(gk.undated, 0)",
        count(Role.KEPALA, f'FROM "{report}" r INNER JOIN "{plan}" p ON p.id = r.plan_id '
                           f"WHERE {unit_is} AND r.status = '{Report.Status.SUBMITTED}'"),
        count(Role.KEPALA, f'FROM "{notification}" n INNER JOIN "{target}" t ON t.id = n.target_id '
                           f'INNER JOIN "{step}" s ON s.id = t.step_id '
                           f'INNER JOIN "{indicator}" i ON i.id = s.indicator_id '
                           f'INNER JOIN "{sub}" sc ON sc.id = i.subcomponent_id '
                           f'INNER JOIN "{component}" c ON c.id = sc.component_id '
                           f'INNER JOIN "{plan}" p ON p.id = c.plan_id WHERE {unit_is} '
                           f"AND n.recipient_id = %(user)s AND n.kind = 'escalation' AND n.read_at IS NULL"),
    ]
    assert len(columns) == len(COUNTS)
    return (f"SELECT {_head_sql()}, {', '.join(columns)} "
            f'FROM (SELECT 1) one LEFT OUTER JOIN "{member}" m ON m.user_id = %(user)s '
            f'LEFT OUTER JOIN "{unit}" u ON u.id = m.unit_id '
            f"LEFT OUTER JOIN ({anggota}) ga ON ga.unit_id = m.unit_id AND m.role = '{Role.ANGGOTA}' "
            f"LEFT OUTER JOIN ({ketua}) gk ON gk.unit_id = m.unit_id AND m.role = '{Role.KETUA}' "
            f'ORDER BY m.id')


HEAD = 7  # columns of _head_sql: membership id, unit id, role, unit name, unread, unit version, newest notice


@cache
def _head_sql() -> str:
    """The columns that say whether cached counts still hold, read from indexes whatever the size of the plans: the
    user's memberships (id, unit, role, unit name), the unread notifications, each unit's version (its newest audit
    event: every upload, review, assignment, date change, import and report step is one) and the time of the user's
    newest notification (an escalation that arrives)."""
    from actionplan.models import AuditEvent

    notification, audit = notification_model()._meta.db_table, AuditEvent._meta.db_table
    return ('m.id, m.unit_id, m.role, u.name, '
            f'(SELECT COUNT(*) FROM "{notification}" n WHERE n.recipient_id = %(user)s AND n.read_at IS NULL), '
            f'(SELECT MAX(a.id) FROM "{audit}" a WHERE a.unit_id = m.unit_id), '
            f'(SELECT MAX(n.created_at) FROM "{notification}" n WHERE n.recipient_id = %(user)s)')


@cache
def _check_sql() -> str:
    """The head columns alone: what a page pays when the counts come from the cache."""
    return (f"SELECT {_head_sql()} "
            f'FROM (SELECT 1) one LEFT OUTER JOIN "{Membership._meta.db_table}" m ON m.user_id = %(user)s '
            f'LEFT OUTER JOIN "{Unit._meta.db_table}" u ON u.id = m.unit_id ORDER BY m.id')


def _rows(user, today: datetime.date) -> list[tuple]:
    """The bar's rows (head columns, then the counts). The counts walk every target of the user's units, which grows
    with the plans (1.3 ms of every page on a 2,125-target plan, and a Ketua Tim of many units pays for all of
    them), so they are cached per user and day with the head they were counted under: while the head read again
    is the same (no audited change in the units, no new or newly read notification, the same memberships) they
    still hold, and the page pays only the head's index lookups. Without a cached entry (or with the dummy cache
    of the tests) the one full statement runs, as before. Changes made around the audit trail (the admin site)
    show within DASHBOARD_CACHE_SECONDS, as on the dashboard."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection

    params = {"user": user.pk, "today": today, "soon": today + datetime.timedelta(days=SOON_DAYS)}
    key = f"nav:{user.pk}:{today.isoformat()}"
    cached = cache.get(key)
    with connection.cursor() as cursor:
        if cached is not None:
            cursor.execute(_check_sql(), params)
            head = [tuple(row) for row in cursor.fetchall()]
            if head == cached["head"]:
                return [h + c for h, c in zip(head, cached["counts"], strict=True)]
        cursor.execute(_nav_sql(), params)
        rows = [tuple(row) for row in cursor.fetchall()]
    cache.set(key, {"head": [r[:HEAD] for r in rows], "counts": [r[HEAD:] for r in rows]},
              settings.DASHBOARD_CACHE_SECONDS)
    return rows


def _load(user, today: datetime.date) -> dict:
    from django.db import connection

    rows = _rows(user, today)
    memberships = []
    for member_id, unit_id, role, unit_name, _unread, _version, _newest, *counts in rows:
        if member_id is None:  # a user without a unit: the one row only carries the count
            continue
        m = Membership.from_db(connection.alias, ["id", "user_id", "unit_id", "role"],
                               (member_id, user.pk, unit_id, role))
        m.user, m.unit = user, Unit.from_db(connection.alias, ["id", "name"], (unit_id, unit_name))
        m.counts = dict(zip(COUNTS, counts, strict=True))
        memberships.append(m)
    totals = {key: sum(m.counts[key] for m in memberships) for key in COUNTS}
    return {"memberships": memberships, "is_ketua": any(m.role == Role.KETUA for m in memberships),
            "watches": any(m.role in (Role.KETUA, Role.KEPALA, Role.TPI) for m in memberships),
            "unread": rows[0][4] if rows else 0, "today": today, **totals}


def nav_for(request):
    """The navigation bar's data for this request, loaded at most once (the home page reads its counts too)."""
    nav = getattr(request, "_portal_nav", None)
    if nav is None:
        user = request.user
        nav = request._portal_nav = SimpleLazyObject(lambda: _load(user, timezone.localdate()))
    return nav


def memberships(request):
    """The user's units and roles, the counts of what waits for them there, and their unread notifications for the
    navigation bar: one statement, only when a page renders the bar. Written as SQL because the bar is on every
    page: compiling the ORM queries cost more than the rest of a cached page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": nav_for(request)}
