"""Shared set-up for benchmark scripts: Django on a throw-away SQLite database and media folder (or
BENCH_DATABASE_URL), migrated, with the seed plan and demo people."""
import io
import os
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup(*, seed: bool = True, fast_hashers: bool = True):
    tmp = Path(tempfile.mkdtemp(prefix="zi-bench-"))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zi_portal.settings")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if fast_hashers:  # in-process benchmarks only: a separate server process keeps the real hashers
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    if seed:
        call_command("seed_demo", stdout=io.StringIO())
    return tmp


def median_ms(fn, runs: int) -> float:
    import statistics
    import time

    fn()  # warm-up (template loading, first connection)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
