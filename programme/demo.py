"""The programme part of `seed_demo`: the Lumajang Tim ZI and Agen Perubahan SKs, the seed's 15 priority targets
(Lampiran 2) linked to the steps that serve them, a staff list with Pakta Integritas records for part of it.
Through the real services; deterministic; each part only when it is missing."""
import datetime

from django.contrib.auth import get_user_model

from actionplan.models import ActionStep, Plan, Unit

from . import services
from .models import PriorityTarget, StaffMember, Team, TeamKind, TeamRole

# Seed Lampiran 2, verbatim (with its spelling).
PRIORITY_TARGETS = [
    "Pembentukan Tim Zona Integritas",
    "Menyusun dokumen rencana kerja pembangunan Zona Integritas menuju WBK/WBBM.",
    "Sosialisasi Program Pembangunan Zona Integritas menuju WBK/WBBM.",
    "Penguatan komitmen pembangunan Zona Integritas.",
    "Pelaksanaan Monitoring dan Evaluasi Zona Integritas melalui pemantauan kegiatan strategis Dinas "
    "Kependudukan dan Pencatatan sipil Kabupaten, tindak lanjut hasil audit internal dan eksternal Pelaksanaan "
    "manajemen mutu serta penerapan standart pelayanan public",
    "Pelaksanaan Pelatihan peningkatan SDM",
    "Penyusunan, Penerapan dan Evaluasi SOP kegiatan",
    "Peningkatan disiplin dan profesionalisme pegawai.",
    "Menyusun kegiatan dan penganggaran kegiatan yang berorientasi pada pelayanan masyarakat.",
    "Peningkatan akuntabilitas kinerja Dinas kependudukasn dan Pencatytatan sipil",
    "Pelaksanaan pengawasan internal melalui Sistem Pengendalian Intern",
    "Peningkatan kepatuhan pengelolaan Keuangan Negara melalui laporan keuangan",
    "Menetapkan Agen Perubahan",
    "Meningkatkan partisipasi pegawai agar terlibat dalam Program Pembangunan Zona Integritas menuju WBK/WBBM",
    "Pelaporan kegiatan TIM ZI.",
]
# Which steps serve which priority target: sub-components ("I.1") or a word in the indicator or step text.
# Number 12 (state finances) has no step in the seed plan: it shows as "not linked yet".
PRIORITY_LINKS = {
    1: ["I.1"], 2: ["I.2"], 3: ["~sosialisasi"], 4: ["I.4", "~komitmen"], 5: ["I.3", "VI.1"], 6: ["III.3"],
    7: ["II.1"], 8: ["III.5"], 9: ["IV.2"], 10: ["IV.1", "IV.2"], 11: ["V.2"], 12: [], 13: ["~agen perubahan"],
    14: ["I.4"], 15: ["I.3"],
}

# Fictitious staff (the two signatories are the seed's). name, NIP, jabatan, eselon, golongan.
LEADERS = [
    ("Akhmad Taufik Hidayat, SH.M.Hum", "196607101992031007", "Kepala Dinas", "II.b", "Pembina Utama Muda (IV/c)"),
    ("Agus Warsito Utomo, SPd", "196508191992031010", "Sekretaris Dinas", "III.a", "Pembina Tingkat I (IV/b)"),
    ("Hari Purnomo, SE", "197003151995031004", "Kepala Bidang Pelayanan Pendaftaran Penduduk", "III.b",
     "Pembina (IV/a)"),
    ("Endah Sulistyowati, SH", "197205201997032005", "Kepala Bidang Pelayanan Pencatatan Sipil", "III.b",
     "Pembina (IV/a)"),
    ("Wahyu Hidayat, ST", "197408121999031006", "Kepala Bidang PIAK dan Pemanfaatan Data", "III.b",
     "Pembina (IV/a)"),
    ("Sri Wahyuni, SSos", "197511042000032003", "Kepala Sub Bagian Umum dan Kepegawaian", "IV.a",
     "Penata Tingkat I (III/d)"),
    ("Rudi Hartono, SE", "197609222001121002", "Kepala Sub Bagian Keuangan", "IV.a", "Penata Tingkat I (III/d)"),
]
FIRST = ["Siti", "Bambang", "Dewi", "Eko", "Rina", "Joko", "Lilik", "Yuli", "Agus", "Nur", "Dwi", "Tri", "Heru",
         "Ani", "Budi", "Indah", "Slamet", "Wulan", "Fajar", "Ratna", "Teguh", "Maya", "Hendra", "Puji", "Sugeng",
         "Rini", "Arif", "Evi", "Dedi", "Novi", "Imam", "Sari", "Yoyok"]
LAST = ["Rahayu", "Prasetyo", "Susanti", "Saputra", "Wati", "Santoso", "Handayani", "Kurniawan", "Lestari",
        "Setiawan", "Puspita", "Wibowo", "Anggraini"]
KEPALA_SK = "188.45/012/427.53/2019"


def _staff_csv() -> bytes:
    lines = ["NAMA,NIP,JABATAN,ESELON,GOLONGAN"]
    for name, nip, position, eselon, golongan in LEADERS:
        lines.append(f'"{name}",{nip},"{position}",{eselon},"{golongan}"')
    lines.append('"Siti Nurhaliza",198503122010012003,"Pengadministrasi Kependudukan",,"Penata Muda (III/a)"')
    lines.append('"Bambang Sutrisno",198011052006041002,"Analis Data Kependudukan",,"Penata (III/c)"')
    for i in range(31):
        year, month, day = 1978 + i % 15, 1 + i % 12, 1 + (i * 7) % 28
        sex = "1" if i % 2 else "2"
        nip = f"{year}{month:02d}{day:02d}{year + 24}{1 + i % 12:02d}{sex}{i + 1:03d}"
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 5) % len(LAST)]}"
        job = ["Pengadministrasi Umum", "Operator Layanan Operasional", "Pranata Komputer", "Verifikator Berkas",
               "Petugas Pelayanan"][i % 5]
        lines.append(f'"{name}",{nip},"{job}",,"Pengatur (II/c)"')
    lines.append('"Mohammad Rizal",,"Tenaga Pendukung (non-PNS)",,')
    return ("\n".join(lines) + "\n").encode()


def seed_programme(*, unit: Unit, plan: Plan, out) -> None:
    User = get_user_model()
    ketua = User.objects.filter(username="ketua").first()
    if not StaffMember.objects.filter(unit=unit).exists():
        result = services.staff_import(unit=unit, data=_staff_csv(), filename="pegawai-demo.csv", actor=ketua,
                                       check_role=False)
        out(f"Daftar pegawai: {result.total} orang.")
        _seed_pakta(unit, ketua)
    if not Team.objects.filter(unit=unit).exists():
        _seed_teams(unit, ketua)
        out("Tim ZI dan Agen Perubahan (SK) dibuat.")
    if not PriorityTarget.objects.filter(plan=plan).exists():
        _seed_priorities(plan, ketua)
        out(f"{len(PRIORITY_TARGETS)} target prioritas dibuat dan ditautkan.")


def _seed_pakta(unit: Unit, actor) -> None:
    """Leaders sign one by one; 24 others at the apel pencanangan; the rest (about ten) have not signed yet.
    LHKPN for the leaders (the Kepala Sub Bagian Keuangan not filed yet), LHKASN for some staff."""
    staff = list(StaffMember.objects.filter(unit=unit).order_by("order"))
    leaders, others = [s for s in staff if s.is_leader], [s for s in staff if not s.is_leader]
    for i, s in enumerate(leaders):
        services.pakta_record(staff=s, year=2019, signed_on=datetime.date(2019, 1, 7 + i), actor=actor,
                              check_role=False)
        services.asset_report_set(staff=s, year=2019, kind="lhkpn", must_file=True,
                                  filed_on=None if i == len(leaders) - 1 else datetime.date(2019, 3, 20 + i),
                                  actor=actor, check_role=False)
    services.pakta_bulk_record(unit=unit, year=2019, signed_on=datetime.date(2019, 1, 14),
                               event="Apel pencanangan pembangunan Zona Integritas", staff_ids=[s.pk for s in
                                                                                              others[:24]],
                               actor=actor, check_role=False)
    for i, s in enumerate(others[:12]):
        services.asset_report_set(staff=s, year=2019, kind="lhkasn", must_file=True,
                                  filed_on=datetime.date(2019, 3, 28) if i % 3 else None, actor=actor,
                                  check_role=False)


def _seed_teams(unit: Unit, actor) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["kepala", "ketua", "anggota1", "anggota2"])}
    M = services.MemberInput
    tim = [
        M(role=TeamRole.PENGARAH, user=users.get("kepala")),
        M(role=TeamRole.KETUA, user=users.get("ketua")),
        M(role=TeamRole.SEKRETARIS, name="Sri Wahyuni, SSos", nip="197511042000032003",
          position="Kepala Sub Bagian Umum dan Kepegawaian"),
        M(role=TeamRole.KOORDINATOR, component="I", name="Hari Purnomo, SE", nip="197003151995031004",
          position="Kepala Bidang Pelayanan Pendaftaran Penduduk"),
        M(role=TeamRole.KOORDINATOR, component="II", name="Wahyu Hidayat, ST", nip="197408121999031006",
          position="Kepala Bidang PIAK dan Pemanfaatan Data"),
        M(role=TeamRole.KOORDINATOR, component="III", user=users.get("anggota1")),
        M(role=TeamRole.KOORDINATOR, component="IV", name="Rudi Hartono, SE", nip="197609222001121002",
          position="Kepala Sub Bagian Keuangan"),
        M(role=TeamRole.KOORDINATOR, component="V", user=users.get("anggota2")),
        M(role=TeamRole.KOORDINATOR, component="VI", name="Endah Sulistyowati, SH", nip="197205201997032005",
          position="Kepala Bidang Pelayanan Pencatatan Sipil"),
    ]
    services.team_create(unit=unit, kind=TeamKind.TIM_ZI, name="Tim Kerja Pembangunan Zona Integritas", year=2019,
                         sk_number=KEPALA_SK, sk_date=datetime.date(2019, 2, 11),
                         valid_from=datetime.date(2019, 2, 11), valid_until=datetime.date(2019, 12, 31),
                         members=[m for m in tim if m.user is not None or m.name], actor=actor, check_role=False)
    agents = [M(role=TeamRole.KETUA, name="Hari Purnomo, SE", nip="197003151995031004",
                position="Kepala Bidang Pelayanan Pendaftaran Penduduk")]
    for s in StaffMember.objects.filter(unit=unit, eselon="").exclude(nip="").order_by("order")[:6]:
        agents.append(M(role=TeamRole.ANGGOTA, name=s.name, nip=s.nip, position=s.position))
    services.team_create(unit=unit, kind=TeamKind.AGEN_PERUBAHAN, name="Agen Perubahan", year=2019,
                         sk_number="188.45/009/427.53/2019", sk_date=datetime.date(2019, 1, 28),
                         valid_from=datetime.date(2019, 1, 28), valid_until=datetime.date(2019, 12, 31),
                         members=agents, actor=actor, check_role=False)


def _seed_priorities(plan: Plan, actor) -> None:
    priorities = services.priority_targets_set(plan=plan, titles=PRIORITY_TARGETS, actor=actor, check_role=False)
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
                 .values("pk", "description", "indicator__text", "indicator__subcomponent__number",
                         "indicator__subcomponent__component__code"))
    for p in priorities:
        chosen = set()
        for rule in PRIORITY_LINKS[p.number]:
            for s in steps:
                if rule.startswith("~"):
                    hit = rule[1:] in f"{s['description']} {s['indicator__text']}".lower()
                else:
                    code, number = rule.split(".")
                    hit = (s["indicator__subcomponent__component__code"] == code
                           and s["indicator__subcomponent__number"] == int(number))
                if hit:
                    chosen.add(s["pk"])
        services.priority_links_set(priority=p, steps=ActionStep.objects.filter(pk__in=chosen), actor=actor,
                                    check_role=False)
