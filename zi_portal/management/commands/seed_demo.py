"""Demo data for the embedded local run: the Lumajang unit, its 2019 plan from fixtures/ and one user per role,
plus the programme (Tim ZI and Agen Perubahan SKs, 15 priority targets, staff with Pakta records, public page).

Idempotent: running it again changes nothing that exists (existing users keep their passwords). Refuses to run
unless DEBUG or the explicit demo flag DEMO_MODE is on (`make run` and `make demo` set DEMO_MODE=true), so it
cannot plant known passwords on a production portal by accident.
"""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplan.models import ActionStep, Plan, Role, Unit
from actionplan.services import PlanImportError, assignments_set, person_ensure, plan_import
from programme.demo import seed_programme
from public.models import PublicPage
from public.services import public_page_set

SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx"
UNIT = {
    "name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang",
    "pemda": "Pemerintah Kabupaten Lumajang",
    "city": "Lumajang",
    "address": "Kabupaten Lumajang, Jawa Timur",
}
YEAR = 2019
# The demo's day: the reminders run once for it, so notifications exist at the first login.
DEMO_DAY = "2019-07-01"
EMAIL_DOMAIN = "demo.portal-zi.example"
ADMIN_USERNAME = "admin"
# Kepala Dinas and Ketua Tim are the signatories of the seed document; the others are fictitious.
PEOPLE = [
    ("kepala", Role.KEPALA, "Akhmad Taufik Hidayat, SH.M.Hum", "196607101992031007",
     "Kepala Dinas Kependudukan dan Pencatatan Sipil"),
    ("ketua", Role.KETUA, "Agus Warsito Utomo, SPd", "196508191992031010", "Ketua Tim Pembangunan ZI"),
    ("anggota1", Role.ANGGOTA, "Siti Nurhaliza", "198503122010012003", "Anggota Tim ZI"),
    ("anggota2", Role.ANGGOTA, "Bambang Sutrisno", "198011052006041002", "Anggota Tim ZI"),
    ("tpi", Role.TPI, "Dewi Lestari", "197902142005012004", "Tim Penilai Internal, Inspektorat"),
]


class Command(BaseCommand):
    help = "Membuat data demo: unit Dispendukcapil Lumajang, rencana kerja 2019 dan pengguna per peran."

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError("seed_demo hanya untuk demo lokal (DEMO_MODE=true, seperti `make run`, atau "
                               "DEBUG=true); ditolak karena keduanya mati.")
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            unit, _ = Unit.objects.get_or_create(name=UNIT["name"], defaults=UNIT)
            plan = Plan.objects.filter(unit=unit, year=YEAR).first()
            if plan is None:
                try:
                    result = plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=YEAR)
                except PlanImportError as exc:
                    raise CommandError(exc.report()) from exc
                plan = result.plan
                self.stdout.write(f"Rencana kerja {YEAR} diimpor: {result.counts['indicators']} indikator, "
                                  f"{result.counts['targets']} target.")
            else:
                self.stdout.write(f"Rencana kerja {YEAR} sudah ada (id {plan.pk}); tidak diimpor ulang.")
            created = []
            for username, role, full_name, nip, position in PEOPLE:
                _user, was_created = person_ensure(username=username, full_name=full_name, nip=nip,
                                                   position=position, unit=unit, role=role, password=password)
                if was_created:
                    created.append(username)
            self._assign(plan)
            emails = self._emails()
            admin_created = self._admin(password)
            seed_programme(unit=unit, plan=plan, out=self.stdout.write)
            self._public_page(unit)
        self.stdout.write(f"Unit: {unit.name}")
        self.stdout.write(f"Rencana kerja: {plan.title} (id {plan.pk})")
        for username, role, full_name, *_ in PEOPLE:
            state = "dibuat" if username in created else "sudah ada, kata sandi tidak diubah"
            self.stdout.write(f"  {username:<9} {role.label:<22} {full_name} ({state})")
        self.stdout.write("Penanggung jawab: komponen I–III → anggota1, IV–VI → anggota2.")
        self.stdout.write("Alamat e-mail demo (e-mail tampil di konsol): "
                          + ", ".join(f"{username} <{email}>" for username, email in emails))
        self.stdout.write(f"Admin (staf, /admin/): {ADMIN_USERNAME} "
                          f"({'dibuat' if admin_created else 'sudah ada, kata sandi tidak diubah'})")
        if created or admin_created:
            self.stdout.write(f"Kata sandi pengguna demo baru: {password}")
        # Reminders for the demo's day; a second run creates nothing (each notice has a unique key).
        from django.core.management import call_command

        self.stdout.write(f"Pengingat untuk hari demo {DEMO_DAY}:")
        call_command("send_reminders", today=DEMO_DAY, stdout=self.stdout)

    def _emails(self) -> list[tuple[str, str]]:
        """Every demo user gets an address (kept if they already have one)."""
        from django.contrib.auth import get_user_model

        out = []
        for user in get_user_model().objects.filter(username__in=[p[0] for p in PEOPLE]).order_by("username"):
            if not user.email:
                user.email = f"{user.username}@{EMAIL_DOMAIN}"
                user.save(update_fields=["email"])
            out.append((user.username, user.email))
        return out

    def _admin(self, password: str) -> bool:
        """A staff superuser for the admin, made once (its password is never reset)."""
        from django.contrib.auth import get_user_model

        users = get_user_model()
        if users.objects.filter(username=ADMIN_USERNAME).exists():
            return False
        users.objects.create_superuser(ADMIN_USERNAME, f"{ADMIN_USERNAME}@{EMAIL_DOMAIN}", password,
                                       first_name="Admin", last_name="Portal ZI")
        return True

    def _assign(self, plan):
        """Components I–III to anggota1 and IV–VI to anggota2, only where a step has nobody yet."""
        from django.contrib.auth import get_user_model

        people = {u.username: u for u in get_user_model().objects.filter(
            username__in=["anggota1", "anggota2", "ketua"])}
        steps = (ActionStep.objects.filter(indicator__subcomponent__component__plan=plan, assignments__isnull=True)
                 .select_related("indicator__subcomponent__component__plan"))
        for step in steps:
            owner = "anggota1" if step.indicator.subcomponent.component.code in {"I", "II", "III"} else "anggota2"
            assignments_set(step=step, users=[people[owner]], actor=people["ketua"])

    def _public_page(self, unit) -> None:
        """The unit's public page switched on (once), as the Ketua Tim would."""
        if PublicPage.objects.filter(unit=unit).exists():
            return
        from django.contrib.auth import get_user_model

        ketua = get_user_model().objects.get(username="ketua")
        page = public_page_set(unit=unit, enabled=True, slug="dispendukcapil-lumajang", actor=ketua, check_role=False)
        self.stdout.write(f"Halaman publik: /publik/{page.slug}/")
