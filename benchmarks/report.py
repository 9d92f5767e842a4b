"""Benchmark: rendering the semester Monev report PDF (WeasyPrint).

Builds the seed plan (demo data, a third of the dated targets accepted and a sixth waiting for review) and a 10×
plan (every step copied 9 times with its targets and people, as in benchmarks/dashboard.py), then prints for the
Semester I report of each: the snapshot time, the median render time (wall clock and this process's CPU time —
the CPU figure is the one to compare when other work shares the machine), the pages and the time per page.
Aim: the seed plan's report renders in < 3 s; time per page stays flat from the seed plan to the 10× plan.

    .venv/bin/python benchmarks/report.py [--runs 3]
"""
import argparse
import datetime
import logging
import statistics
import time

from _django import setup


def render_once(snapshot):
    from monev.pdf import page_count, render_report_pdf

    wall, cpu = time.perf_counter(), time.process_time()
    _name, pdf = render_report_pdf(
        snapshot=snapshot, number="DRAF", issued_on=datetime.date.fromisoformat(snapshot["as_of"]),
        conclusions="Simpulan belum diisi Ketua Tim.", recommendations=[{"text": "Percepat unggahan bukti fisik."}],
        previous_followups=[], draft=True)
    return time.perf_counter() - wall, time.process_time() - cpu, page_count(pdf)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from dashboard import add_evidence, add_evidence_for_copies, grow

    from actionplan.models import Plan
    from monev.selectors import report_as_of, report_snapshot

    plan = Plan.objects.get()
    add_evidence(plan)
    as_of = report_as_of(plan, 1)
    rows = []
    for label in ("seed plan", "10x plan"):
        if label == "10x plan":
            grow(plan, 9)
            add_evidence_for_copies(plan)
        start = time.perf_counter()
        snapshot = report_snapshot(plan=plan, semester=1, as_of=as_of)
        snapshot_s = time.perf_counter() - start
        first = render_once(snapshot)  # cold: first use of the fonts, templates and cffi types in this process
        runs = [render_once(snapshot) for _ in range(args.runs if label == "seed plan" else 1)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        pages = runs[0][2]
        rows.append((label, snapshot["summary"]["total"], pages, snapshot_s, first[0], wall, cpu,
                     1000 * wall / pages, 1000 * cpu / pages))
    print(f"{'plan':<10} {'targets':>8} {'pages':>6} {'snapshot s':>11} {'first s':>8} {'render s':>9} {'cpu s':>6} "
          f"{'ms/page':>8} {'cpu ms/page':>12}")
    for label, targets, pages, snap, first, wall, cpu, per_page, cpu_per_page in rows:
        print(f"{label:<10} {targets:>8} {pages:>6} {snap:>11.2f} {first:>8.2f} {wall:>9.2f} {cpu:>6.2f} "
              f"{per_page:>8.0f} {cpu_per_page:>12.0f}")
    growth = rows[1][8] / rows[0][8]
    print(f"cpu time per page, 10x / seed: {growth:.2f}")
    print("aim: seed render < 3 s; time per page about flat (ratio <= 1.3)")


if __name__ == "__main__":
    main()
