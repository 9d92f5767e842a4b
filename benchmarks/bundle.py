"""Benchmark: build a Berkas untuk TPI of 2 GB of accepted evidence and show that memory stays bounded.

On a throw-away database with the demo data, writes N generated PDFs of 10 MB (a valid PDF around an
uncompressed random stream) straight into the throw-away MEDIA_ROOT, records them as accepted revisions (10 files
per target), then runs the real build service (evidence.services.bundle_build). Prints the time, the process's peak
RSS growth during the build (VmHWM after resetting it via /proc/self/clear_refs) and tracemalloc's peak. Everything
is removed afterwards. Aim: peak RSS growth < 100 MB whatever the size.

    .venv/bin/python benchmarks/bundle.py [--mb 2048] [--file-mb 10]
"""
import argparse
import hashlib
import os
import re
import shutil
import time
import tracemalloc
from pathlib import Path

from _django import setup


def make_pdf(path: Path, size: int, seed: int) -> str:
    digest = hashlib.sha256()
    head = (b"%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>\nendobj\n"
            b"%% berkas %d\n4 0 obj\n<< /Length %d >>\nstream\n" % (seed, size))
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    block = os.urandom(1024 * 1024)
    with path.open("wb") as f:
        for part in (head,):
            f.write(part)
            digest.update(part)
        left = size
        while left:
            chunk = block[: min(left, len(block))]
            chunk = seed.to_bytes(4, "big") + chunk[4:] if len(chunk) > 4 else chunk
            f.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
        f.write(tail)
        digest.update(tail)
    return digest.hexdigest()


def vm_hwm_kb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=2048)
    parser.add_argument("--file-mb", type=int, default=10)
    args = parser.parse_args()
    tmp = setup()
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actionplan.models import Membership, Plan, Role, Target
    from evidence.models import EvidenceBundle, EvidenceFile, ReviewDecision, Revision, RevisionStatus
    from evidence.services import bundle_build

    plan = Plan.objects.order_by("pk").first()
    ketua = Membership.objects.filter(unit=plan.unit, role=Role.KETUA).first().user
    uploader = get_user_model().objects.filter(memberships__unit=plan.unit, memberships__role=Role.ANGGOTA).first()
    count = args.mb // args.file_mb
    targets = list(Target.objects.filter(step__indicator__subcomponent__component__plan=plan, revisions=None)
                   .order_by("pk")[: (count + 9) // 10])
    folder = Path(settings.MEDIA_ROOT) / "bukti" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    made = 0
    for target in targets:
        revision = Revision.objects.create(target=target, number=1, submitted_by=uploader, description="Bench",
                                           document_date=timezone.localdate(), status=RevisionStatus.ACCEPTED)
        ReviewDecision.objects.create(revision=revision, reviewer=ketua, decision="accept")
        for _ in range(min(10, count - made)):
            name = f"bukti/bench/{made:04d}.pdf"
            digest = make_pdf(Path(settings.MEDIA_ROOT) / name, args.file_mb * 1024 * 1024, made)
            EvidenceFile.objects.create(revision=revision, file=name, original_name=f"bukti-{made}.pdf", kind="pdf",
                                        content_type="application/pdf", size=(Path(settings.MEDIA_ROOT) / name)
                                        .stat().st_size, sha256=digest)
            made += 1
    total = sum(f.size for f in EvidenceFile.objects.filter(revision__target__in=targets))
    print(f"generated {made} PDFs, {total / 2**20:.0f} MB, in {time.perf_counter() - started:.1f} s")

    bundle = EvidenceBundle.objects.create(plan=plan, requested_by=ketua)
    Path("/proc/self/clear_refs").write_text("5")      # reset the peak RSS (VmHWM) to the current RSS
    before = vm_hwm_kb()
    tracemalloc.start()
    started = time.perf_counter()
    assert bundle_build(bundle_id=bundle.pk)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    growth = (vm_hwm_kb() - before) / 1024
    bundle.refresh_from_db()
    print(f"bundle: {bundle.file_count} files, {bundle.size / 2**20:.0f} MB, status {bundle.status}")
    print(f"build time: {elapsed:.1f} s ({bundle.size / 2**20 / elapsed:.0f} MB/s)")
    print(f"peak RSS growth during the build: {growth:.1f} MB; tracemalloc peak: {peak / 2**20:.1f} MB")
    print("OK: memory bounded" if growth < 100 else "FAIL: memory grew by 100 MB or more")


if __name__ == "__main__":
    main()
