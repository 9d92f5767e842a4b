"""Deadline reminders: the daily sweep that creates notifications, the e-mail of one notification, and the reads
and writes of the notification pages.

Who is told what, and when (``d`` = today − due date, in days, Asia/Jakarta):

========================  ======================  ============================================================
stage (``kind``)          day                     recipients
========================  ======================  ============================================================
``before_7/3/1``          H-7, H-3, H-1           the people responsible (``Assignment`` users of the step);
                                                  thresholds from ``REMINDER_DAYS_BEFORE``
``overdue``               H+1                     the people responsible + the Ketua Tim of the unit
``escalation``            H+7                     the people responsible + the Ketua Tim + the Kepala Dinas
========================  ======================  ============================================================

Only dated targets of plans with status "active" are considered, and nothing is sent for a target that has an
accepted revision or a revision waiting for review (the one ``submitted`` revision is always the latest; a target
whose latest revision was sent back — ``revise`` — or withdrawn does get reminders). Inactive users get nothing.
An overdue target nobody is responsible for still reaches the Ketua Tim (and at H+7 the Kepala Dinas): nobody
else would notice it. A person in two roles (responsible and Ketua Tim) gets one notice, as responsible.

Idempotency. Every notification is a row with the unique key (target, due_date, recipient, kind). The sweep
computes what is due and inserts it with ON CONFLICT DO NOTHING — on PostgreSQL one ``INSERT … SELECT …
RETURNING`` worked out by the database (``_insert_sql``), on SQLite in Python with
``bulk_create(ignore_conflicts=True)`` and a read-back of the rows carrying its own ``run_id`` (``_insert_python``;
the tests run both paths on both databases and compare them). A row another run inserted first is not returned
(and keeps that run's ``run_id``), so two sweeps on the same day — or on two workers at the same moment —
create, and e-mail, each notice once. Because the due date is part of the key, a moved due date gets its own
reminders; a newly assigned person is a new recipient and gets their own.

Catch-up (decided here):

* **One notice per person per day, the most advanced stage only.** On a given day a person gets the latest stage
  that has been reached and is meant for them — and only when neither that stage nor a later one was sent for
  this due date. A missed H-3 run caught up on H-2 sends the H-3 reminder once; H-7 is never sent after H-3;
  a sweep that missed H+1..H+6 sends the escalation on H+7, not an overdue notice as well; several missed days
  give one notice, never one per day. The H-1 reminder is still caught up on the due date itself (the person
  can still deliver); before-due reminders stop after the due date, where the overdue notice takes over.
* **Window: ``REMINDER_CATCH_UP_DAYS`` (default 30).** A stage is caught up for at most that many days after its
  own day: a target overdue by more than 31 days gets no new overdue notice, and one overdue by more than 37
  days (escalation day + window) gets nothing new at all. The escalation is still sent once for targets in
  between (it supersedes the overdue notice). Without the window, deploying the portal on a plan with a
  year-old backlog — or re-activating an old plan — would mail everyone one escalation per forgotten target;
  those targets belong on the progress dashboard, not in a burst of mail.

E-mail. Each new notification for a person with an e-mail address is queued (``notifications.tasks
.send_notification_email``) after the sweep's transaction commits; a person without an address gets the
notification in the portal only (``no_email``) and is listed for their Ketua Tim. Sending claims the row with a
conditional UPDATE, so two workers never send the same mail; a mail-server failure keeps the notification with
status ``retrying``/``failed`` and the last error, Celery retries with back-off, and each daily sweep re-queues
e-mails still failed (or stuck) from the last ``REMINDER_CATCH_UP_DAYS`` days. Without a worker (tasks run
eagerly, no Redis) a failed mail is marked ``failed`` at once and left to the next daily sweep.

Cost: a fixed number of queries per sweep — PostgreSQL: the one INSERT … SELECT, the re-queue list, the audit
row; SQLite: targets, assignments, memberships, existing notices, opt-outs, one bulk insert (Django 5.2 chunks it
at 999 parameters), the read-back, the re-queue list, the audit row; see ``benchmarks/reminders.py``.
"""
import datetime
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from actionplan.audit import audit_record
from actionplan.models import Assignment, Membership, Plan, Role, Target, counts_on_its_date_q
from evidence.models import RevisionStatus

from .delivery import EMAIL_STALE_AFTER
from .models import EmailOptOut, EmailStatus, Kind, Notification, RecipientRole

UNIT_PATH = "step__indicator__subcomponent__component__plan__unit_id"
PLAN_STATUS_PATH = "step__indicator__subcomponent__component__plan__status"


# -- the rules ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    kind: str
    offset: int  # the stage's day relative to the due date: -7 is H-7, +1 is H+1
    audience: frozenset  # RecipientRole values


def reminder_stages() -> list[Stage]:
    """The stages from settings, in order of their day."""
    responsible, ketua, kepala = RecipientRole.RESPONSIBLE, RecipientRole.KETUA, RecipientRole.KEPALA
    stages = [Stage(Kind.before(days), -days, frozenset({responsible}))
              for days in {int(d) for d in settings.REMINDER_DAYS_BEFORE if int(d) >= 0}]
    stages.append(Stage(Kind.OVERDUE, kind_offset(Kind.OVERDUE), frozenset({responsible, ketua})))
    stages.append(Stage(Kind.ESCALATION, kind_offset(Kind.ESCALATION), frozenset({responsible, ketua, kepala})))
    return sorted(stages, key=lambda s: s.offset)


def kind_offset(kind: str) -> int:
    """The day of a kind relative to the due date (also for thresholds no longer configured)."""
    days = Kind.days_before(kind)
    if days is not None:
        return -days
    return max(1, settings.REMINDER_ESCALATION_DAYS if kind == Kind.ESCALATION else settings.REMINDER_OVERDUE_DAYS)


def _reached(stage: Stage, day: int) -> bool:
    """Is `stage` due on `day` (today − due date), inside its catch-up window?"""
    if stage.offset > day or day - stage.offset > settings.REMINDER_CATCH_UP_DAYS:
        return False
    return stage.offset > 0 or day <= 0  # before-due reminders end on the due date


def current_stage(stages: list[Stage], *, day: int, roles: set) -> Stage | None:
    """The most advanced stage reached on `day` that is meant for someone with `roles`."""
    for stage in reversed(stages):
        if stage.audience & roles and _reached(stage, day):
            return stage
    return None


def _role_for(stage: Stage, roles: set) -> str:
    for role in (RecipientRole.RESPONSIBLE, RecipientRole.KETUA, RecipientRole.KEPALA):
        if role in roles and role in stage.audience:
            return role
    raise AssertionError("current_stage() only returns stages meant for one of the roles")


def open_targets(*, today: datetime.date, stages: list[Stage]):
    """Dated targets of active plans, not accepted and not waiting for review, whose due date counts (in the plan
    year or confirmed: actionplan.models.counts_on_its_date_q) and is near enough to `today` for some stage to be
    reached."""
    latest_day = max(s.offset for s in stages) + settings.REMINDER_CATCH_UP_DAYS
    earliest_day = min(0, min(s.offset for s in stages))
    # Target.evidence_status is the latest revision's status, kept by evidence.services (an accepted revision
    # is final, and the one waiting for review is always the latest).
    return (Target.objects
            .filter(due_date__gte=today - datetime.timedelta(days=latest_day),
                    due_date__lte=today - datetime.timedelta(days=earliest_day),
                    **{PLAN_STATUS_PATH: Plan.Status.ACTIVE})
            .exclude(evidence_status__in=[RevisionStatus.ACCEPTED, RevisionStatus.SUBMITTED])
            # A date outside the plan year nobody confirmed is a probable typo: no reminder until it is set.
            .filter(counts_on_its_date_q())
            .order_by())  # the model's ordering would join the whole plan tree just to sort


# -- the sweep ----------------------------------------------------------------------------------------------------

@dataclass
class SweepResult:
    today: datetime.date
    run_id: uuid.UUID
    created: dict = field(default_factory=dict)  # kind → number of notifications this run created
    no_email: int = 0  # of those, for people without an e-mail address (portal only)
    email_ids: list = field(default_factory=list)  # new notifications to e-mail
    requeue_ids: list = field(default_factory=list)  # older notifications whose e-mail failed or got stuck
    pakta_ids: list = field(default_factory=list)  # unsigned-Pakta notices this run created (programme/reminders.py)

    @property
    def total(self) -> int:
        return sum(self.created.values()) + len(self.pakta_ids)


def reminders_sweep(*, today: datetime.date, sql_path: bool | None = None) -> SweepResult:
    """Create the notifications due on `today` (see the module docstring for the rules) and return what this run
    created. Safe to run any number of times, concurrently too: each notice is created once. A fixed number of
    queries whatever the number of targets (SQLite splits the one bulk insert into chunks of 999 parameters).
    Sends nothing: `reminders_run` queues the e-mails. `sql_path` picks the way the notices are worked out (the
    default: the INSERT … SELECT on PostgreSQL, Python on SQLite); the tests and the benchmark set it."""
    stages = reminder_stages()
    run_id = uuid.uuid4()
    now = timezone.now()
    result = SweepResult(today=today, run_id=run_id)
    with transaction.atomic():
        targets = open_targets(today=today, stages=stages)
        insert = _insert_sql if (sql_path if sql_path is not None else connection.vendor == "postgresql") \
            else _insert_python
        for pk, kind, email_status in insert(targets, today=today, stages=stages, run_id=run_id, now=now):
            result.created[kind] = result.created.get(kind, 0) + 1
            if email_status == EmailStatus.NO_EMAIL:
                result.no_email += 1
            elif email_status == EmailStatus.PENDING:
                result.email_ids.append(pk)
        result.email_ids.sort()
        result.requeue_ids = list(
            Notification.objects.filter(email_sent_at__isnull=True,
                                        created_at__gte=now - datetime.timedelta(days=settings.REMINDER_CATCH_UP_DAYS))
            .annotate(touched=Coalesce("email_updated_at", "created_at"))
            .filter(Q(email_status=EmailStatus.FAILED)
                    | Q(email_status__in=[EmailStatus.PENDING, EmailStatus.RETRYING, EmailStatus.SENDING],
                        touched__lt=now - EMAIL_STALE_AFTER))
            .exclude(run_id=run_id).order_by("pk").values_list("pk", flat=True))
        audit_record(actor=None, action="reminders.sweep",
                     summary=f"Pengingat {today:%Y-%m-%d}: {result.total} notifikasi baru",
                     data={"today": today.isoformat(), "run_id": str(run_id), "created": result.created,
                           "no_email": result.no_email, "requeued": len(result.requeue_ids)})
    return result


def _insert_python(targets, *, today, stages, run_id, now) -> list[tuple[int, str, str]]:
    """The notices due on `today` for `targets`, worked out in Python and bulk-inserted (SQLite, the embedded
    default). Returns (pk, kind, email_status) of the rows this run created."""
    rows = list(targets.values_list("pk", "due_date", "step_id", UNIT_PATH))
    responsible = defaultdict(list)  # step → [(user, email)]
    for step_id, user_id, email in (Assignment.objects
                                    .filter(step_id__in=targets.values("step_id"), user__is_active=True)
                                    .order_by().values_list("step_id", "user_id", "user__email")):
        responsible[step_id].append((user_id, email))
    leaders = defaultdict(list)  # unit → [(user, role, email)] — only units with an overdue target
    for unit_id, user_id, role, email in (
            Membership.objects.filter(role__in=[Role.KETUA, Role.KEPALA], user__is_active=True,
                                      unit_id__in=targets.filter(due_date__lt=today).values(UNIT_PATH))
            .values_list("unit_id", "user_id", "role", "user__email")):
        leaders[unit_id].append((user_id, RecipientRole(role), email))
    current_due = {target_id: due_date for target_id, due_date, _step, _unit in rows}
    sent = defaultdict(list)  # (target, recipient) → offsets already notified for the current due date
    for target_id, due_date, recipient_id, kind in (
            Notification.objects.filter(target__in=targets).order_by()
            .values_list("target_id", "due_date", "recipient_id", "kind")):
        if current_due.get(target_id) == due_date:  # notices about an earlier due date do not count
            sent[target_id, recipient_id].append(kind_offset(kind))

    # E-mail switched off by the person (profile page): the notice is still made, for the portal only.
    opted_out = set(EmailOptOut.objects.filter(kind__in=["reminder", Kind.OVERDUE, Kind.ESCALATION])
                    .values_list("user_id", "kind"))

    def mail_status(user_id, email, kind):
        if not email.strip():
            return EmailStatus.NO_EMAIL
        if (user_id, Kind.preference(kind)) in opted_out:
            return EmailStatus.OPTED_OUT
        return EmailStatus.PENDING

    make = _row_maker(notice_date=today, run_id=run_id, created_at=now)
    new = []
    for target_id, due_date, step_id, unit_id in rows:
        day = (today - due_date).days
        people: dict[int, tuple[set, str]] = {}
        for user_id, email in responsible[step_id]:
            people.setdefault(user_id, (set(), email))[0].add(RecipientRole.RESPONSIBLE)
        if day > 0:
            for user_id, role, email in leaders[unit_id]:
                people.setdefault(user_id, (set(), email))[0].add(role)
        for user_id, (roles, email) in people.items():
            stage = current_stage(stages, day=day, roles=roles)
            if stage is None or any(o >= stage.offset for o in sent[target_id, user_id]):
                continue
            new.append(make(target_id=target_id, due_date=due_date, recipient_id=user_id, kind=stage.kind,
                            recipient_role=_role_for(stage, roles),
                            email_status=mail_status(user_id, email, stage.kind)))
    # One order for every run, so concurrent sweeps take row locks in the same order (no deadlock).
    new.sort(key=lambda n: (n.target_id, n.recipient_id, n.kind))
    Notification.objects.bulk_create(new, ignore_conflicts=True)

    return list(Notification.objects.filter(run_id=run_id).order_by().values_list("pk", "kind", "email_status"))

def _insert_sql(targets, *, today, stages, run_id, now) -> list[tuple[int, str, str]]:
    """The same notices as `_insert_python`, worked out and inserted by the database in one INSERT … SELECT …
    ON CONFLICT DO NOTHING RETURNING (PostgreSQL; the SQL runs on SQLite too, where the tests compare the two
    paths). No row travels through Python but the ids created; the targets are the ORM's `open_targets` (so the
    rule of counts_on_its_date_q is the one every page uses), the people and stages follow the rules above:

    * people: the active users responsible for the step, and — once the due date has passed — the active Ketua
      Tim and Kepala Dinas of the unit; one row per person with the roles they hold for this target;
    * stage: the most advanced one reached today and meant for one of those roles (``current_stage``), written
      as a CASE over the stages from the last to the first, each with its due-date range (``_reached``);
    * skipped when a notice of that stage or a later one exists for the same target, due date and person
      (anti-join on the unique key; an earlier due date's notices do not count);
    * e-mail: ``no_email`` for an empty address, ``opted_out`` for a switched-off kind, else ``pending``."""
    target_sql, target_params = (targets.values("pk", "due_date", "step_id", UNIT_PATH)
                                 .query.get_compiler(connection=connection).as_sql())
    responsible, ketua, kepala = RecipientRole.RESPONSIBLE, RecipientRole.KETUA, RecipientRole.KEPALA
    role_column = {responsible: "p.is_responsible", ketua: "p.is_ketua", kepala: "p.is_kepala"}
    values: list = []

    def db(name: str, value):
        return Notification._meta.get_field(name).get_db_prep_value(value, connection)

    def arg(value) -> str:
        """A placeholder for `value`; numbered, because the pieces are built out of their order in the text."""
        values.append(value)
        return f"\x00{len(values) - 1}\x00"

    target_sql = "".join(piece + (arg(value) if value is not _END else "")
                         for piece, value in zip(target_sql.split("%s"), [*target_params, _END], strict=True))

    # current_stage(): the last stage first; a stage is reached while the due date lies in its range.
    stage_whens, role_whens, pref_whens = [], [], []
    for index, stage in reversed(list(enumerate(stages))):
        last_day = stage.offset + settings.REMINDER_CATCH_UP_DAYS
        if stage.offset <= 0:
            last_day = min(last_day, 0)  # before-due reminders end on the due date
        if last_day < stage.offset:
            continue
        audience = " OR ".join(f"{role_column[r]} = 1" for r in (responsible, ketua, kepala) if r in stage.audience)
        stage_whens.append(
            f"WHEN ({audience}) AND p.due_date >= {arg(db('due_date', today - datetime.timedelta(days=last_day)))} "
            f"AND p.due_date <= {arg(db('due_date', today - datetime.timedelta(days=stage.offset)))} THEN {index}")
    for index, stage in enumerate(stages):
        for role in (responsible, ketua, kepala):  # _role_for(): the first role the stage is meant for
            if role in stage.audience:
                role_whens.append(f"WHEN c.stage = {index} AND c.{role_column[role][2:]} = 1 THEN {arg(role.value)}")
        pref_whens.append(f"WHEN c.stage = {index} THEN {arg(Kind.preference(stage.kind))}")
    kind_whens = " ".join(f"WHEN c.stage = {index} THEN {arg(stage.kind)}" for index, stage in enumerate(stages))
    offset_whens = " ".join(f"WHEN c.stage = {index} THEN {stage.offset}" for index, stage in enumerate(stages))
    # kind_offset() of a notice already there: -days for before_<days>, the escalation's day, else the overdue day.
    sent_offset = (f"CASE WHEN n.kind = {arg(Kind.ESCALATION)} THEN {kind_offset(Kind.ESCALATION)} "
                   f"WHEN SUBSTR(n.kind, 1, {len(Kind.BEFORE_PREFIX)}) = {arg(Kind.BEFORE_PREFIX)} "
                   f"THEN -CAST(SUBSTR(n.kind, {len(Kind.BEFORE_PREFIX) + 1}) AS INTEGER) "
                   f"ELSE {kind_offset(Kind.OVERDUE)} END")
    blank = "BTRIM(c.email, E' \\t\\n\\r\\f\\v')" if connection.vendor == "postgresql" \
        else "TRIM(c.email, char(32, 9, 10, 13, 12, 11))"
    yesterday = today - datetime.timedelta(days=1)
    sql = f"""
        WITH t (id, due_date, step_id, unit_id) AS ({target_sql}),
        people AS (
            SELECT t.id AS target_id, t.due_date, a.user_id, u.email, 1 AS is_responsible, 0 AS is_ketua,
                   0 AS is_kepala
            FROM t JOIN actionplan_assignment a ON a.step_id = t.step_id
                   JOIN auth_user u ON u.id = a.user_id AND u.is_active
            UNION ALL
            SELECT t.id, t.due_date, m.user_id, u.email, 0,
                   CASE WHEN m.role = {arg(Role.KETUA.value)} THEN 1 ELSE 0 END,
                   CASE WHEN m.role = {arg(Role.KEPALA.value)} THEN 1 ELSE 0 END
            FROM t JOIN actionplan_membership m ON m.unit_id = t.unit_id
                     AND m.role IN ({arg(Role.KETUA.value)}, {arg(Role.KEPALA.value)})
                   JOIN auth_user u ON u.id = m.user_id AND u.is_active
            WHERE t.due_date <= {arg(db('due_date', yesterday))}
        ),
        p AS (
            SELECT target_id, due_date, user_id, MAX(email) AS email, MAX(is_responsible) AS is_responsible,
                   MAX(is_ketua) AS is_ketua, MAX(is_kepala) AS is_kepala
            FROM people GROUP BY target_id, due_date, user_id
        ),
        c AS (
            SELECT p.*, CASE {" ".join(stage_whens) or "WHEN 1 = 0 THEN 0"} END AS stage FROM p
        ),
        new AS (
            SELECT c.target_id, c.due_date, c.user_id,
                   CASE {kind_whens} END AS kind,
                   CASE {" ".join(role_whens)} END AS recipient_role,
                   CASE WHEN {blank} = '' THEN {arg(EmailStatus.NO_EMAIL.value)}
                        WHEN EXISTS (SELECT 1 FROM notifications_emailoptout o WHERE o.user_id = c.user_id
                                     AND o.kind = CASE {" ".join(pref_whens)} END)
                        THEN {arg(EmailStatus.OPTED_OUT.value)}
                        ELSE {arg(EmailStatus.PENDING.value)} END AS email_status
            FROM c
            WHERE c.stage IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM monev_notification n
                              WHERE n.target_id = c.target_id AND n.due_date = c.due_date
                                AND n.recipient_id = c.user_id AND {sent_offset} >= CASE {offset_whens} END)
        )
        INSERT INTO "monev_notification" (target_id, due_date, recipient_id, kind, event_key, message, note, link_url,
                                        recipient_role, notice_date, run_id, created_at, email_status,
                                        email_attempts, email_error)
        SELECT target_id, due_date, user_id, kind, '', '', '', '', recipient_role, {arg(db("notice_date", today))},
               {arg(db("run_id", run_id))}, {arg(db("created_at", now))}, email_status, 0, ''
        FROM new
        WHERE true
        ORDER BY target_id, user_id, kind  -- one order for every run: concurrent sweeps lock rows alike
        ON CONFLICT DO NOTHING
        RETURNING id, kind, email_status"""
    params = [values[int(number)] for number in re.findall("\x00([0-9]+)\x00", sql)]
    with connection.cursor() as cursor:
        cursor.execute(re.sub("\x00[0-9]+\x00", "%s", sql), params)
        return cursor.fetchall()


_END = object()


def _row_maker(**common):
    """A fast Notification(...) for the sweep's bulk insert: positional arguments skip the per-keyword field lookup
    of Model.__init__ (three times faster for tens of thousands of rows). Fields not given take their default."""
    fields = Notification._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields} | common

    def make(**values) -> Notification:
        row = defaults | values
        return Notification(*[row[f.attname] for f in fields])
    return make
