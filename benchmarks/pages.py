"""Benchmark: every page whose cost grows with the plan, on the seed plan and on a 1,224-indicator plan.

Builds the seed plan (demo data: 72 indicators, 125 targets; a third of the dated targets accepted, a sixth waiting
for review) and a large plan (every step copied 16 times with its targets, people and revisions: 1,224 indicators,
1,224 action steps, 2,125 targets, anggota1 responsible for 527 steps), then prints one line per page and size:

    page=<name> size=<seed|large> ms=<median> queries=<n> floor_ms=<median> ratio=<x> [pages=<n>] [kb=<n>]

ms is the median server time through the whole middleware stack (Django test client, no network); floor_ms the
median of a trivial login-protected view, measured in the same loop (one floor request before each page request),
so a machine shared with other work moves both; ratio = ms / floor_ms. Pages: `plan` (the plan page as it opens),
`plan_all` (every component at once), `dashboard_cold` (figure cache cleared before each request),
`dashboard_cached`, `status_xlsx` (the export), `my_tasks` (anggota1), `report_snapshot` (the Ketua Tim submits the
report: the snapshot is computed and saved; rolled back after each run), `report_pdf` (WeasyPrint render of the
Semester I draft from the snapshot; pages=<n>). Each line ends with cpu_ms and cpu_ratio, the same from this
process's CPU time: on a machine shared with other work, the steadier figure. The last line gives the load average.

    .venv/bin/python benchmarks/pages.py [--runs 21] [--pdf-runs 3] [--only plan,my_tasks] [--sizes seed,large]
"""
import argparse
import datetime
import logging
import os
import statistics
import time

from _django import setup

PAGES = ["plan", "plan_all", "dashboard_cold", "dashboard_cached", "status_xlsx", "my_tasks", "report_snapshot",
         "report_pdf"]
GROW = 16  # 72 indicators × 17 = 1,224


class Bench:
    def __init__(self, runs: int, pdf_runs: int):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.runs, self.pdf_runs = runs, pdf_runs
        users = get_user_model().objects
        self.ketua, self.anggota = Client(), Client()
        self.ketua.force_login(users.get(username="ketua"))
        self.anggota.force_login(users.get(username="anggota1"))
        self.ketua_user = users.get(username="ketua")

    def _floor(self):
        response = self.ketua.get("/_floor/")
        assert response.status_code == 200

    def interleaved(self, fn, runs):
        """Median ms of fn and of the floor, one floor request before each call: wall clock, and this process's
        CPU time (kept in self.cpu: on a machine shared with other work it is the steadier of the two)."""
        fn(), self._floor()  # warm-up
        page, floor, page_cpu, floor_cpu = [], [], [], []
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            self._floor()
            floor.append((time.perf_counter() - start) * 1000)
            floor_cpu.append((time.process_time() - cpu) * 1000)
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            page.append((time.perf_counter() - start) * 1000)
            page_cpu.append((time.process_time() - cpu) * 1000)
        self.cpu = statistics.median(page_cpu), statistics.median(floor_cpu)
        return statistics.median(page), statistics.median(floor)

    @staticmethod
    def queries(fn):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--pdf-runs", type=int, default=3, help="runs of the seed PDF (the large one renders once)")
    parser.add_argument("--only", default=",".join(PAGES))
    parser.add_argument("--sizes", default="seed,large")
    args = parser.parse_args()
    only, sizes = args.only.split(","), args.sizes.split(",")
    setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from dashboard import add_evidence, add_evidence_for_copies, grow
    from django.core.cache import cache
    from django.db import transaction
    from django.test import override_settings
    from django.urls import reverse

    from actionplan.models import Assignment, Indicator, Membership, Plan, Target
    from monev import services
    from monev.pdf import page_count, render_report_pdf
    from monev.selectors import report_as_of, report_snapshot

    plan = Plan.objects.get()
    add_evidence(plan)
    bench = Bench(args.runs, args.pdf_runs)
    per = "?per=2019-07-01"
    urls = {
        "plan": (bench.ketua, reverse("actionplan:plan_detail", args=[plan.pk])),
        "plan_all": (bench.ketua, reverse("actionplan:plan_detail", args=[plan.pk]) + "?halaman=semua"),
        "dashboard_cold": (bench.ketua, reverse("monev:dashboard", args=[plan.pk]) + per),
        "dashboard_cached": (bench.ketua, reverse("monev:dashboard", args=[plan.pk]) + per),
        "status_xlsx": (bench.ketua, reverse("monev:status_export", args=[plan.pk]) + per),
        "my_tasks": (bench.anggota, reverse("evidence:my_tasks")),
    }
    membership = Membership.objects.get(user=bench.ketua_user, unit=plan.unit)
    report = services.report_start(plan=plan, semester=1, user=bench.ketua_user, membership=membership)
    report.conclusions = "Simpulan Ketua Tim."
    report.save(update_fields=["conclusions"])

    class Rollback(Exception):
        pass

    def submit():
        try:
            with transaction.atomic():
                services.report_submit(report=report, user=bench.ketua_user, membership=membership,
                                       today=datetime.date(2019, 7, 1))
                raise Rollback
        except Rollback:
            pass

    lines = []
    with override_settings(ROOT_URLCONF="_floor_urls"):
        for size in ("seed", "large"):
            if size == "large":
                grow(plan, GROW)
                add_evidence_for_copies(plan)
            if size not in sizes:
                continue
            counts = (f"# size={size} indicators="
                      f"{Indicator.objects.filter(subcomponent__component__plan=plan).count()} targets="
                      f"{Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()} "
                      f"anggota1_steps={Assignment.objects.filter(user__username='anggota1').count()}")
            print(counts, flush=True)
            for page in only:
                extra = ""
                if page in urls:
                    client, url = urls[page]
                    sizes_kb = []

                    def get(client=client, url=url, page=page, sizes_kb=sizes_kb):
                        if page == "dashboard_cold":
                            cache.clear()
                        response = client.get(url)
                        assert response.status_code == 200, (url, response.status_code)
                        sizes_kb.append(len(response.content) / 1024)

                    ms, floor = bench.interleaved(get, args.runs)
                    queries = bench.queries(get)
                    extra = f" kb={sizes_kb[-1]:.0f}"
                elif page == "report_snapshot":
                    ms, floor = bench.interleaved(submit, max(5, args.runs // 3))
                    queries = bench.queries(submit)
                elif page == "report_pdf":
                    snapshot = report_snapshot(plan=plan, semester=1, as_of=report_as_of(plan, 1,
                                                                                         datetime.date(2019, 7, 1)))
                    pages = []

                    def render(snapshot=snapshot, pages=pages):
                        _name, pdf = render_report_pdf(
                            snapshot=snapshot, number="DRAF", issued_on=datetime.date(2019, 7, 1),
                            conclusions="Simpulan belum diisi Ketua Tim.",
                            recommendations=[{"text": "Percepat unggahan bukti fisik."}], previous_followups=[],
                            draft=True)
                        pages.append(page_count(pdf))

                    if size == "seed":
                        ms, floor = bench.interleaved(render, args.pdf_runs)
                    else:  # one render (7-15 s) after a warm-up: the seed's, or a first one
                        if "seed" in sizes:
                            bench.interleaved(lambda: None, 1)
                            start, cpu = time.perf_counter(), time.process_time()
                            render()
                            ms, cpu_page = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
                            floor = bench.interleaved(lambda: None, 1)[1]
                            bench.cpu = cpu_page, bench.cpu[1]
                        else:
                            ms, floor = bench.interleaved(render, 1)
                    queries = 0
                    extra = f" pages={pages[-1]}"
                else:
                    raise SystemExit(f"unknown page {page}; pages: {', '.join(PAGES)}")
                cpu_ms, cpu_floor = bench.cpu
                line = (f"page={page} size={size} ms={ms:.1f} queries={queries} floor_ms={floor:.2f} "
                        f"ratio={ms / floor:.1f}{extra} cpu_ms={cpu_ms:.1f} cpu_ratio={cpu_ms / cpu_floor:.1f}")
                lines.append(line)
                print(line, flush=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# date={datetime.date.today().isoformat()} loadavg={load} cpus={os.cpu_count()}")


if __name__ == "__main__":
    main()
