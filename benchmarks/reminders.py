"""Benchmark: the daily reminder sweep (notifications.reminders.reminders_sweep) over 10,000 and 100,000 targets.

Standalone: sets up Django itself on a throw-away SQLite database (or BENCH_DATABASE_URL, e.g. a PostgreSQL test
database) and media folder, migrates, builds ten units with active plans in bulk — two targets per action step,
due dates spread over the year, one or two people responsible per step, a fifth of the targets already accepted
or waiting for review — and times one sweep for "today" = 1 July 2019 on 10,000 targets, then on 100,000.

    .venv/bin/python benchmarks/reminders.py [--targets 100000]

Targets (issue 12): 100,000 targets on PostgreSQL, first run ≤ 3 s, daily run ≤ 0.5 s; the number of queries
the same for 10,000 and 100,000 targets. A fresh database each time: BENCH_DATABASE_URL must name an empty one.

Django 5.2 splits a bulk insert on SQLite into chunks of 999 bound parameters (66 notifications of 15 columns),
whatever the SQLite library allows (ticket #36143); those chunks are the only statements that grow with the
data. The script reports SQLite twice, as the import benchmark does: as Django 5.2 does it ("django-5.2
chunks") and with the library's own limit ("sqlite limit"), where the whole sweep is a fixed number of statements
— as on PostgreSQL, where the insert is always one statement. A third SQLite row ("insert-select") runs the
PostgreSQL path (one INSERT … SELECT worked out by the database) on SQLite, for comparison.
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TODAY = datetime.date(2019, 7, 1)
UNITS = 10
PEOPLE_PER_UNIT = 30


def build(n_targets: int, *, start: int = 0) -> None:
    """Add targets number `start`..`n_targets` − 1 (two per action step) to the benchmark plans, in bulk."""
    from actionplan.models import ActionStep, Assignment, Indicator, Plan, Target
    from evidence.models import Revision, RevisionStatus

    plans = list(Plan.objects.order_by("id"))
    users = {plan.unit_id: list(plan.unit.memberships.filter(role="anggota").values_list("user_id", flat=True))
             for plan in plans}
    indicators = {plan.pk: Indicator.objects.filter(subcomponent__component__plan=plan).get() for plan in plans}
    submitter = plans[0].unit.memberships.filter(role="anggota").first().user_id
    chunk = 20_000
    for first in range(start, n_targets, chunk):
        numbers = range(first, min(first + chunk, n_targets), 2)
        steps = ActionStep.objects.bulk_create([
            ActionStep(indicator=indicators[plans[(i // 2) % UNITS].pk], order=(i // 2) % 30000,
                       description=f"Langkah aksi {i // 2}: menyusun dan menetapkan dokumen",
                       evidence_required="SK, notulen, daftar hadir") for i in numbers])
        targets, assignments = [], []
        for i, step in zip(numbers, steps, strict=True):
            plan = plans[(i // 2) % UNITS]
            people = users[plan.unit_id]
            for k in (0, 1):  # the year in two halves: due dates spread over every day of 2019
                due = datetime.date(2019, 1, 1) + datetime.timedelta(days=(i * 7 + k * 182) % 365)
                targets.append(Target.for_date(step, due))
            assignments.append(Assignment(step=step, user_id=people[i % len(people)]))
            if i % 3 == 0:
                assignments.append(Assignment(step=step, user_id=people[(i + 7) % len(people)]))
        Target.objects.bulk_create(targets, batch_size=5000)
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        settled = [t for index, t in enumerate(targets) if index % 5 == 0]  # accepted or waiting for review
        for index, t in enumerate(settled):  # what evidence.services keeps on the target
            t.evidence_status = RevisionStatus.ACCEPTED if index % 2 else RevisionStatus.SUBMITTED
        Target.objects.bulk_update(settled, ["evidence_status"], batch_size=5000)
        Revision.objects.bulk_create([
            Revision(target=t, number=1, submitted_by_id=submitter, description="Bukti",
                     document_date=datetime.date(2019, 1, 1),
                     status=RevisionStatus.ACCEPTED if index % 2 else RevisionStatus.SUBMITTED)
            for index, t in enumerate(settled)], batch_size=5000)


def setup_units() -> None:
    from django.contrib.auth import get_user_model

    from actionplan.models import Component, Indicator, Membership, Plan, SubComponent, Unit

    User = get_user_model()
    for u in range(UNITS):
        unit = Unit.objects.create(name=f"Unit benchmark {u}")
        plan = Plan.objects.create(unit=unit, year=2019, title=f"Rencana Kerja ZI {u} 2019")
        component = Component.objects.create(plan=plan, code="I", name="Manajemen Perubahan", weight=8)
        sub = SubComponent.objects.create(component=component, number=1, name="Tim Kerja")
        Indicator.objects.create(subcomponent=sub, text="Indikator benchmark")
        people = User.objects.bulk_create([
            User(username=f"u{u}-{p}", first_name=f"Pegawai {p}",
                 email="" if p % 10 == 9 else f"u{u}-{p}@example.go.id") for p in range(PEOPLE_PER_UNIT + 2)])
        Membership.objects.bulk_create(
            [Membership(user=people[0], unit=unit, role="ketua"), Membership(user=people[1], unit=unit, role="kepala")]
            + [Membership(user=p, unit=unit, role="anggota") for p in people[2:]])


def sweep(label: str, mode: str, sql_path: bool | None = None) -> None:
    """Three runs of the sweep for TODAY on the same targets: "first" on an empty notification table (the day
    the portal is deployed: everything in the catch-up window is due at once), the same again to count its
    statements, and "daily" after yesterday's sweep has run (an ordinary morning)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actionplan.models import Target
    from notifications.models import Notification
    from notifications.reminders import reminders_sweep

    def timed(today) -> tuple[float, int]:
        start = time.perf_counter()
        result = reminders_sweep(today=today, sql_path=sql_path)
        return time.perf_counter() - start, result.total

    targets = Target.objects.count()
    Notification.objects.all().delete()
    first_seconds, first_created = timed(TODAY)  # timed without query capture: the debug cursor costs time
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        reminders_sweep(today=TODAY, sql_path=sql_path)
    inserts = sum(1 for q in queries.captured_queries if 'INTO "monev_notification"' in q["sql"])
    total = len(queries.captured_queries)
    Notification.objects.all().delete()
    reminders_sweep(today=TODAY - datetime.timedelta(days=1), sql_path=sql_path)
    daily_seconds, daily_created = timed(TODAY)
    print(f"{label:<6}{mode:<19}{targets:>8}{first_created:>10}{first_seconds:>8.2f}{total:>9}{inserts:>9}"
          f"{total - inserts:>7}{daily_created:>10}{daily_seconds:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=100_000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="zi-bench-reminders-"))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zi_portal.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As in production: with DEBUG on, every statement goes through Django's debug cursor, which on SQLite
    # quotes all parameters a second time for the query log (a third of the insert time here).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        modes = [("postgresql" if connection.vendor == "postgresql" else "django-5.2 chunks", None, None)]
        if connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            modes.append(("sqlite limit", connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), None))
            modes.append(("insert-select", None, True))  # PostgreSQL's path (one INSERT … SELECT) on SQLite
        default_limit = connection.features.max_query_params

        print(f"database: {connection.vendor}; today = {TODAY:%d %B %Y}; {UNITS} units")
        setup_units()
        print("first = the first sweep on an empty notification table (deploy day: the whole catch-up window);")
        print("daily = today's sweep after yesterday's ran. queries = inserts (chunks) + other statements.")
        print(f"{'set':<6}{'mode':<19}{'targets':>8}{'first new':>10}{'first s':>8}{'queries':>9}{'inserts':>9}"
              f"{'other':>7}{'daily new':>10}{'daily s':>8}")
        small = args.targets // 10
        start = time.perf_counter()
        for label, size, first in (("10%", small, 0), ("100%", args.targets, small)):
            build_start = time.perf_counter()
            build(size, start=first)
            if connection.vendor == "postgresql":  # statistics, as autovacuum keeps them on a live database
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"  (built {size - first} more targets in {time.perf_counter() - build_start:.1f} s)")
            for mode, limit, sql_path in modes:
                connection.features.max_query_params = limit or default_limit
                sweep(label, mode, sql_path)
            connection.features.max_query_params = default_limit
        print(f"total {time.perf_counter() - start:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
