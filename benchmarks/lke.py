"""Benchmark: the LKE pages against the framework floor.

On the demo data (seed plan, demo people) prints: the assessment page's median server time and query count with
1 and with all 113 questions answered in both columns, from scratch ("cold": cache cleared before each request)
and cached; the score of one column computed in memory; and the TPI's multi-unit table for 100 units (each with
an assessment answered in both columns). The floor is a trivial login-protected view through the same middleware.
Aims: page <= 4x the floor cached and <= 12 queries whatever the number answered; 100-unit table < 150 ms.

    .venv/bin/python benchmarks/lke.py [--runs 20]
"""
import argparse
import sys
import time
from pathlib import Path

from _django import median_ms, setup

# This script is named like the app it measures, and its folder is on the path (and put back there by Celery's
# loader, which adds the working directory): import the app's package first, so `lke` is the app.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
sys.modules.pop("lke", None)
import lke  # noqa: E402, F401


def fill(assessment, ketua, tpi, n):
    from actionplan.models import Membership
    from lke import selectors, services

    struct = selectors.structure(assessment.version)
    km, tm = Membership.objects.get(user=ketua, unit=assessment.unit), Membership.objects.get(user=tpi,
                                                                                              unit=assessment.unit)
    for code, q in list(struct.questions.items())[:n]:
        if q.answer_type in ("survey", "percent"):
            value = "3.5" if q.answer_type == "survey" else "80"
            services.answer_save(assessment=assessment, code=code, column="unit", user=ketua, membership=km,
                                 value=value)
            services.answer_save(assessment=assessment, code=code, column="tpi", user=tpi, membership=tm,
                                 value=value)
        else:
            services.answer_save(assessment=assessment, code=code, column="unit", user=ketua, membership=km,
                                 choice=q.choices[0][0])
            services.answer_save(assessment=assessment, code=code, column="tpi", user=tpi, membership=tm,
                                 choice=q.choices[1][0])


def measure(client, url, runs, *, cold=False):
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        if cold:
            cache.clear()
        assert client.get(url).status_code == 200, url

    once()
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        once()
    return median_ms(once, runs), len(ctx.captured_queries)


def many_units(tpi, n):
    """n units where the demo TPI is TPI, each with an assessment of 2019 answered in both columns (bulk)."""
    from actionplan.models import Membership, Unit
    from lke import selectors
    from lke.models import Answer, Assessment

    version = selectors.current_version()
    struct = selectors.structure(version)
    units = Unit.objects.bulk_create([Unit(name=f"Unit Bench {i:03d}") for i in range(n)])
    Membership.objects.bulk_create([Membership(user=tpi, unit=u, role="tpi") for u in units])
    assessments = Assessment.objects.bulk_create([Assessment(unit=u, year=2019, version=version) for u in units])
    rows = []
    for a in assessments:
        for q in struct.questions.values():
            for column, index in (("unit", 0), ("tpi", 1)):
                if q.choices:
                    rows.append(Answer(assessment=a, question_id=q.pk, column=column, choice=q.choices[index][0]))
                else:
                    rows.append(Answer(assessment=a, question_id=q.pk, column=column, value=3 if q.answer_type ==
                                       "survey" else 75))
    Answer.objects.bulk_create(rows, batch_size=2000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from actionplan.models import Membership, Plan
    from lke import scoring, selectors, services

    User = get_user_model()
    plan = Plan.objects.get()
    ketua, tpi = User.objects.get(username="ketua"), User.objects.get(username="tpi")
    assessment = services.assessment_start(unit=plan.unit, year=plan.year, user=ketua,
                                           membership=Membership.objects.get(user=ketua, unit=plan.unit))
    client = Client()
    client.force_login(ketua)
    url = f"/lke/unit/{plan.unit_id}/{plan.year}/"
    rows = []
    with override_settings(ROOT_URLCONF="_floor_urls"):
        floor_ms, floor_q = measure(client, "/_floor/", args.runs)
        for n in (1, 113):
            fill(assessment, ketua, tpi, n)
            for mode in ("cold", "cached"):
                ms, q = measure(client, url, args.runs, cold=mode == "cold")
                rows.append((f"page, {n} answered", mode, ms, ms / floor_ms, q))
        struct = selectors.structure(assessment.version)
        answers = {c: r.data for c, r in selectors.answers(assessment)["unit"].items()}
        score_ms = median_ms(lambda: scoring.score(struct, answers), args.runs)
        result = scoring.score(struct, answers)
        start = time.perf_counter()
        scoring.shortest_path(struct, scoring.score(struct, {}), "WBK")
        path_ms = (time.perf_counter() - start) * 1000
        many_units(tpi, 100)
        client.force_login(tpi)
        table_cold_ms, table_cold_q = measure(client, "/lke/tpi/2019/", max(3, args.runs // 5), cold=True)
        table_ms, table_q = measure(client, "/lke/tpi/2019/", args.runs)
    print(f"floor: {floor_ms:.2f} ms, {floor_q} queries")
    print(f"{'what':<22} {'cache':<7} {'ms':>8} {'ratio':>6} {'queries':>8}")
    for what, mode, ms, ratio, q in rows:
        print(f"{what:<22} {mode:<7} {ms:>8.1f} {ratio:>6.1f} {q:>8}")
    print(f"score of one column (113 answers, in memory): {score_ms:.2f} ms, total={scoring.r2(result.total)}")
    print(f"shortest path to WBK from an empty column: {path_ms:.0f} ms")
    print(f"TPI table, 100 units answered in both columns: {table_ms:.1f} ms ({table_ms / floor_ms:.1f}x floor), "
          f"{table_q} queries; every score computed (cache cleared): {table_cold_ms:.1f} ms, {table_cold_q} queries")
    print("aims: page <= 4x floor cached and <= 12 queries whatever the number answered; 100-unit table < 150 ms")


if __name__ == "__main__":
    main()
