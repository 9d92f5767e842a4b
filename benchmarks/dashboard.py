"""Benchmark: the progress dashboard against the framework floor.

Builds the seed plan (demo data) and a 50× plan (every step copied 49 times with its targets, people and
revisions), then prints for each: the dashboard's median server time (Django test client, the whole middleware
stack, no network) computed from scratch ("cold": cache cleared before every request) and served from the
figure cache ("cached": the usual case between two changes), the median of a trivial login-protected view
through the same middleware (the floor), their ratio, and the query counts.
Aim: ≤ 3× the floor on the seed plan, ≤ 6× on the 50× plan.

    .venv/bin/python benchmarks/dashboard.py [--runs 30]
"""
import argparse
import datetime

from _django import median_ms, setup


def grow(plan, factor):
    from actionplan.models import ActionStep, Assignment, Indicator, Target

    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
                 .prefetch_related("targets", "assignments"))
    for _ in range(factor):
        inds = Indicator.objects.bulk_create([Indicator(subcomponent_id=s.indicator.subcomponent_id, order=50,
                                                        text=s.indicator.text) for s in steps])
        new = ActionStep.objects.bulk_create([ActionStep(indicator=i, description=s.description)
                                              for i, s in zip(inds, steps)])
        Target.objects.bulk_create([Target.for_date(n, t.due_date) for n, s in zip(new, steps)
                                    for t in s.targets.all()], batch_size=500)
        Assignment.objects.bulk_create([Assignment(step=n, user_id=a.user_id) for n, s in zip(new, steps)
                                        for a in s.assignments.all()], batch_size=500)


def add_evidence(plan):
    """A realistic spread: a third of the dated targets accepted, a sixth waiting for review."""
    from django.contrib.auth import get_user_model

    from actionplan.models import Target
    from evidence.models import Revision

    user = get_user_model().objects.get(username="anggota1")
    revisions = []
    for i, t in enumerate(Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                                due_date__isnull=False).order_by("pk").only("pk")):
        if i % 6 in (0, 1):
            revisions.append(Revision(target=t, number=1, submitted_by=user, description="x",
                                      document_date=datetime.date(2019, 1, 1), status="accepted"))
        elif i % 6 == 2:
            revisions.append(Revision(target=t, number=1, submitted_by=user, description="x",
                                      document_date=datetime.date(2019, 1, 1)))
    Revision.objects.bulk_create(revisions, batch_size=500)
    for status in ("accepted", "submitted"):  # what evidence.services keeps on the target
        Target.objects.filter(revisions__status=status).update(evidence_status=status)


def measure(client, url, runs, *, cold=False):
    """Median ms and the query count of one request; `cold` clears the cache before each request."""
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        if cold:
            cache.clear()
        assert client.get(url).status_code == 200

    once()
    reset_queries()  # the log holds at most 9,000 queries; a full log would make the capture read 0
    with CaptureQueriesContext(connection) as ctx:
        once()
    return median_ms(once, runs), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from actionplan.models import Plan, Target

    plan = Plan.objects.get()
    add_evidence(plan)
    client = Client()
    client.force_login(get_user_model().objects.get(username="ketua"))
    dash = f"/monev/rencana/{plan.pk}/dashboard/?per=2019-07-01"
    with override_settings(ROOT_URLCONF="_floor_urls"):
        rows = []
        for label in ("seed plan", "50x plan"):
            if label == "50x plan":
                grow(plan, 49)
                add_evidence_for_copies(plan)
            targets = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()
            floor_ms, floor_q = measure(client, "/_floor/", args.runs)
            for mode in ("cold", "cached"):
                dash_ms, dash_q = measure(client, dash, args.runs, cold=mode == "cold")
                rows.append((label, mode, targets, dash_ms, floor_ms, dash_ms / floor_ms, dash_q, floor_q))
    print(f"{'plan':<10} {'cache':<7} {'targets':>8} {'dashboard ms':>13} {'floor ms':>9} {'ratio':>6} "
          f"{'queries':>8} {'floor q':>8}")
    for label, mode, targets, dash_ms, floor_ms, ratio, dash_q, floor_q in rows:
        print(f"{label:<10} {mode:<7} {targets:>8} {dash_ms:>13.1f} {floor_ms:>9.2f} {ratio:>6.1f} {dash_q:>8} "
              f"{floor_q:>8}")
    print("aim: ratio <= 3 (seed), <= 6 (50x); queries the same for both plans")


def add_evidence_for_copies(plan):
    from evidence.models import Revision

    Revision.objects.all().delete()
    add_evidence(plan)


if __name__ == "__main__":
    main()
