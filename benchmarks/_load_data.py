"""Data set of the load test (benchmarks/load.sh): UNITS units kerja, each with the seed plan and people doing work.

Every row is made through the real services, deterministically:
- `unit_create`, then `plan_import` of fixtures/rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx (plan 2019);
- `person_ensure` for a Kepala Dinas, a Ketua Tim, three Anggota and a TPI per unit (`u01-ketua`, `u01-anggota1`, …);
- `assignments_set`: components I–III to anggota1, IV–VI to anggota2, and every third step also to anggota3;
- of the dated targets due by AS_OF (2019-07-01), in date order: two in six submitted (`evidence_submit`, one PDF of
  FILE_KB) and accepted by the Ketua Tim (`revision_review`), one in six waiting for review, one in six sent back
  with a note, commented on (`comment_add`) and submitted again; the rest are open or overdue;
- `reminders_sweep(today=AS_OF)`: the notifications of that day (the navigation bar's unread badge).

The people get a cheap MD5 hash (these scripts only); the two the load test logs in as (`u01-ketua` for the
dashboard, `u01-anggota1` for "Tugas saya" and the download) get a real PBKDF2 hash of LOAD_PASSWORD, so a server
with the production hashers accepts their login. Then writes OUT (shell variables): the three paths to load, the two
usernames and the size of the file to download.

Run by load.sh with the server's environment (DATABASE_URL, MEDIA_ROOT, SECRET_KEY, …) on a migrated database:

    .venv/bin/python benchmarks/_load_data.py --out FILE [--units 20] [--file-kb 64]
"""
import argparse
import datetime
import os
import shlex
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEED_FILE = BASE_DIR / "fixtures" / "rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx"
YEAR = 2019
AS_OF = datetime.date(2019, 7, 1)  # mid-year: half the plan's targets are due, the dashboard has every status
OFFICES = [
    "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Kesehatan", "Dinas Pendidikan", "Dinas Sosial",
    "Dinas Perhubungan", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Lingkungan Hidup",
    "Dinas Komunikasi dan Informatika", "Dinas Penanaman Modal dan PTSP", "Dinas Tenaga Kerja",
    "Dinas Pertanian", "Dinas Perikanan", "Dinas Koperasi dan Usaha Mikro", "Dinas Perdagangan",
    "Dinas Pariwisata dan Kebudayaan", "Dinas Pemuda dan Olahraga", "Dinas Perpustakaan dan Kearsipan",
    "Badan Pendapatan Daerah", "Badan Kepegawaian dan Pengembangan SDM", "Inspektorat",
]
ROLES = [("kepala", "KEPALA"), ("ketua", "KETUA"), ("anggota1", "ANGGOTA"), ("anggota2", "ANGGOTA"),
         ("anggota3", "ANGGOTA"), ("tpi", "TPI")]


def pdf_of(kb: int, label: str) -> bytes:
    """A valid one-page PDF of about `kb` KiB (the tests' builder, padded)."""
    from tests.factories import pdf_bytes

    return pdf_bytes(label, size_kb=kb)


def build_unit(n: int, *, file_kb: int, login_password: str | None) -> dict:
    """One unit with its plan, people, assignments, evidence, reviews and comments; returns its key rows."""
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actionplan.models import ActionStep, Membership, Role, Target
    from actionplan.services import assignments_set, person_ensure, plan_import, unit_create
    from evidence.services import comment_add, evidence_submit, revision_review

    unit = unit_create(name=f"{OFFICES[(n - 1) % len(OFFICES)]} Kabupaten Lumajang"
                            + (f" {(n - 1) // len(OFFICES) + 1}" if n > len(OFFICES) else ""))
    plan = plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=YEAR).plan
    people = {}
    for i, (key, role) in enumerate(ROLES):
        user, _ = person_ensure(username=f"u{n:02d}-{key}", full_name=f"{key.title()} Unit {n:02d}",
                                nip=f"{1970 + i}{(n - 1) % 12 + 1:02d}10200501{1 + i % 2}{n * 10 + i:03d}",
                                position="Tim ZI", unit=unit,
                                role=getattr(Role, role), password="x-not-used-for-login")
        people[key] = user
    if login_password is not None:  # the two who log in through the real login page
        for key in ("ketua", "anggota1"):
            people[key].password = make_password(login_password, hasher="pbkdf2_sha256")
            people[key].save(update_fields=["password"])
    ketua = people["ketua"]
    steps = (ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
             .select_related("indicator__subcomponent__component__plan").order_by("pk"))
    for i, step in enumerate(steps):
        owner = people["anggota1" if step.indicator.subcomponent.component.code in {"I", "II", "III"}
                       else "anggota2"]
        assignments_set(step=step, users=[owner, people["anggota3"]] if i % 3 == 0 else [owner], actor=ketua)

    members = {m.user_id: m for m in Membership.objects.filter(unit=unit)}
    due = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__lte=AS_OF)
           .select_related("step__indicator__subcomponent__component__plan__unit")
           .prefetch_related("step__assignments").order_by("due_date", "pk"))
    content = pdf_of(file_kb, f"Bukti fisik unit {n:02d}")
    counts = {"submitted": 0, "accepted": 0, "revise": 0, "waiting": 0}

    def submit(target, user, number):
        counts["submitted"] += 1
        return evidence_submit(
            target=target, user=user, membership=members[user.pk], description=f"Bukti fisik revisi {number}",
            document_date=target.due_date - datetime.timedelta(days=3),
            files=[SimpleUploadedFile(f"bukti-{target.pk}-{number}.pdf", content, content_type="application/pdf")])

    file_of_anggota1 = None
    for i, target in enumerate(due):
        submitter = next(a.user for a in target.step.assignments.all())
        if i % 6 > 3:
            continue
        revision = submit(target, submitter, 1)
        if i % 6 in (0, 1):
            revision_review(revision=revision, user=ketua, membership=members[ketua.pk], decision="accept", note="")
            counts["accepted"] += 1
        elif i % 6 == 2:
            counts["waiting"] += 1
        else:
            revision_review(revision=revision, user=ketua, membership=members[ketua.pk], decision="revise",
                            note="Lengkapi tanda tangan dan stempel.")
            comment_add(target=target, user=ketua, membership=members[ketua.pk],
                        body="Mohon diunggah ulang dengan lampiran daftar hadir.")
            submit(target, submitter, 2)
            counts["revise"] += 1
            counts["waiting"] += 1
        if file_of_anggota1 is None and submitter.pk == people["anggota1"].pk:
            file_of_anggota1 = revision.files.get()
    return {"unit": unit, "plan": plan, "people": people, "file": file_of_anggota1, "counts": counts}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="shell file to write the paths and usernames to")
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--file-kb", type=int, default=64)
    args = parser.parse_args()
    if not 1 <= args.units <= 99:
        parser.error("--units: 1 to 99 (usernames and NIPs have two digits for the unit)")
    if not args.out or "LOAD_PASSWORD" not in os.environ:
        # `make bench` runs every benchmarks/*.py; this one only makes sense inside load.sh.
        print("load_data.py builds the data set of benchmarks/load.sh; run `bash benchmarks/load.sh`.")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zi_portal.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.urls import reverse

    from actionplan.models import Target
    from evidence.models import Comment, EvidenceFile, ReviewDecision, Revision
    from notifications.models import Notification
    from notifications.reminders import reminders_sweep

    # MD5 for the 100+ people nobody logs in as (half a second each with PBKDF2); PBKDF2 stays available for the
    # two who do.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    started = time.perf_counter()
    first = None
    for n in range(1, args.units + 1):
        built = build_unit(n, file_kb=args.file_kb, login_password=os.environ["LOAD_PASSWORD"] if n == 1 else None)
        first = first or built
    reminders_sweep(today=AS_OF)
    plan, file = first["plan"], first["file"]
    paths = {
        "DASHBOARD_PATH": reverse("monev:dashboard", kwargs={"plan_id": plan.pk}) + f"?per={AS_OF.isoformat()}",
        "TASKS_PATH": reverse("evidence:my_tasks"),
        "FILE_PATH": reverse("evidence:download", kwargs={"file_id": file.pk}),
        "KETUA_USER": first["people"]["ketua"].username,
        "ANGGOTA_USER": first["people"]["anggota1"].username,
        "FILE_BYTES": str(file.size),
    }
    Path(args.out).write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in paths.items()))
    print(f"load data: {args.units} units, {Target.objects.count()} targets, {Revision.objects.count()} revisions, "
          f"{EvidenceFile.objects.count()} files of {args.file_kb} KiB, {ReviewDecision.objects.count()} reviews, "
          f"{Comment.objects.count()} comments, {Notification.objects.count()} notifications "
          f"in {time.perf_counter() - started:.1f} s; per unit: {first['counts']}")


if __name__ == "__main__":
    main()
