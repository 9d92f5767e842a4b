"""Benchmark: importing a ZI plan table (services.plan_import).

Standalone: sets up Django itself on a throw-away SQLite database (or BENCH_DATABASE_URL, e.g. a PostgreSQL test
database) and media folder, migrates, then times importing the seed fixture and a generated 5,000-row plan.

    .venv/bin/python benchmarks/import_plan.py [--rows 5000]

Targets: seed < 1 s, 5,000 rows < 15 s, query count independent of the number of rows.

Django 5.2 splits a bulk insert on SQLite into chunks of 999 bound parameters (999 // fields rows), whatever
the SQLite library allows; Django 6.0 asks SQLite for its real limit (ticket #36143). The script therefore
reports SQLite twice: as Django 5.2 does it ("django-5.2 chunks") and with the library's limit ("sqlite limit").
"""
import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TARGET_TEXTS = [
    "Januari 2019", "Pebruari 2019", "Juli, Desember 2019", "Januari s/d Desember 2019", "Setiap bulan",
    "Triwulan I dan II 2019", "Juni, Desember", "02 Januari 2019", "Feb-17", "tiap 3 bulan",
    "Dokumen direvisi apabila ada perubahan kebijakan", "Maret 2019", "Januari 2019, setiap ada pertemuan",
    "2 kali setahun", "Oktober s/d Desember 2019", "",
]


def generated_plan_xlsx(rows: int) -> bytes:
    """A valid plan table with `rows` indicator rows over the six components, ten indicators per sub-component."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Rencana Aksi")
    ws.append(["NO", "KOMPONEN", "INDIKATOR", "LANGKAH AKSI", "BUKTI FISIK", "TARGET WAKTU", "PENANGGUNG JAWAB"])
    made = 0
    for index, code in enumerate(["I", "II", "III", "IV", "V", "VI"]):
        ws.append([code, f"KOMPONEN {code}", None, None, None, None, None])
        for k in range(rows // 6 + (index < rows % 6)):
            lead = [k // 10 + 1, f"Sub-komponen {code}.{k // 10 + 1}"] if k % 10 == 0 else [None, None]
            ws.append(lead + [f"Indikator nomor {made} yang cukup panjang seperti di dokumen aslinya",
                              f"Langkah aksi {made}: menyusun, menetapkan dan mensosialisasikan dokumen",
                              f"Bukti fisik {made}: SK, notulen, daftar hadir", TARGET_TEXTS[made % len(TARGET_TEXTS)],
                              "Sekretariat" if made % 3 else None])
            made += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="zi-bench-import-"))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zi_portal.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from actionplan.models import Unit
        from actionplan.services import plan_import

        call_command("migrate", verbosity=0, interactive=False)
        seed = BASE_DIR / "fixtures" / "rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx"
        t0 = time.perf_counter()
        big = generated_plan_xlsx(args.rows)
        print(f"generated {args.rows}-row xlsx: {len(big) / 1024:.0f} KiB in {time.perf_counter() - t0:.2f} s")

        modes = [("postgresql" if connection.vendor == "postgresql" else "django-5.2 chunks", None)]
        if connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            modes.append(("sqlite limit", connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)))

        year = 2019
        print(f"database: {connection.vendor}")
        print(f"{'case':<28}{'mode':<20}{'rows':>6}{'seconds':>9}{'queries':>9}{'queries/row':>13}{'targets':>9}")
        default_limit = connection.features.max_query_params
        for mode, limit in modes:
            connection.features.max_query_params = limit or default_limit
            for case, source, name in (("seed (Lumajang 2019)", seed, seed.name), ("generated", big, "big.xlsx")):
                unit = Unit.objects.create(name=f"Unit benchmark {mode} {case}")
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    result = plan_import(source=source, filename=name, unit=unit, year=year)
                    seconds = time.perf_counter() - start
                rows = result.counts["steps"]
                print(f"{case:<28}{mode:<20}{rows:>6}{seconds:>9.3f}{len(queries):>9}{len(queries) / rows:>13.4f}"
                      f"{result.counts['targets']:>9}")
        connection.features.max_query_params = default_limit
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
