"""Writes of the programme app (teams by SK, priority targets, staff register, Pakta Integritas, LHKPN/LHKASN).

Each service checks the rule, runs `full_clean()`, writes in one transaction and records the audit event in that
transaction (who, when, what, the previous value). Uploads (signed SK, Pakta scans) go through the evidence
content checks (`evidence/validation.py`); a refused file saves nothing, and a file put on storage is removed
again when the transaction does not commit.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.importing import RowIssue, TableReadError, cell_text, normalize_header, read_rows, render_report
from actionplan.models import ActionStep, Area, Membership, Plan, Profile, Role, Unit, normalize_nip, validate_nip
from evidence.validation import check_upload
from zi_portal.lib.files import discard_stored

from .models import (
    AssetReport,
    AssetReportKind,
    PaktaBatch,
    PaktaIntegritas,
    PriorityLink,
    PriorityTarget,
    StaffMember,
    StoredDocument,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)

MANAGER_ROLES = frozenset({Role.KETUA})


def require_manager(membership: Membership | None) -> None:
    """Only the Ketua Tim manages teams, priority targets and the register; others read."""
    if membership is None or membership.role not in MANAGER_ROLES:
        raise PermissionDenied(_("Hanya Ketua Tim yang dapat mengubah data ini."))


# -- uploads ------------------------------------------------------------------------------------------------------

def _store(doc: StoredDocument, uploaded, stored: list[str]) -> None:
    """Check `uploaded` by content (raises ValidationError) and put it on storage under a random name."""
    info = check_upload(uploaded, max_bytes=settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024)
    uploaded.seek(0)
    doc.file.save(info.safe_name, uploaded, save=False)
    stored.append(doc.file.name)
    doc.file_name, doc.file_kind, doc.file_type, doc.file_sha256 = (info.safe_name, info.kind, info.content_type,
                                                                     info.sha256)


class _Storing:
    """`with _Storing() as stored:` — files stored inside are removed again if the block raises."""

    def __enter__(self):
        self.names: list[str] = []
        return self.names

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            discard_stored(self.names)
        return False


# -- teams --------------------------------------------------------------------------------------------------------

@dataclass
class MemberInput:
    role: str
    user: object = None
    name: str = ""
    nip: str = ""
    position: str = ""
    component: str = ""


def current_team(*, unit: Unit, kind: str, name: str) -> Team | None:
    return Team.objects.filter(unit=unit, kind=kind, name=name, replaced_by__isnull=True).first()


def team_create(*, unit: Unit, kind: str, name: str, year: int, sk_number: str, sk_date: datetime.date,
                valid_from: datetime.date | None, valid_until: datetime.date | None, members: list[MemberInput],
                sk_file=None, actor=None, membership: Membership | None = None, ip: str | None = None,
                check_role: bool = True) -> Team:
    """Record a team set by a new SK. The current SK of the same unit, kind and name (if any) is replaced by it
    and kept as history. Members who are portal users must belong to the unit; their name, NIP and jabatan are
    taken from the profile unless given."""
    if check_role:
        require_manager(membership)
    name = " ".join((name or "").split()) or (TeamKind(kind).label if kind in TeamKind.values else "")
    team = Team(unit=unit, kind=kind, name=name, year=year, sk_number=" ".join((sk_number or "").split()),
                sk_date=sk_date, valid_from=valid_from or sk_date, valid_until=valid_until, created_by=actor)
    errors: dict[str, list] = {}
    try:
        team.full_clean(exclude=["replaced_by", "file"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if valid_until and team.valid_from and valid_until < team.valid_from:
        errors.setdefault("valid_until", []).append(_("Tanggal akhir berlaku sebelum tanggal mulai."))
    if not members:
        errors.setdefault("members", []).append(_("SK harus memuat minimal satu anggota tim."))
    rows = []
    member_ids = {m.user.pk for m in members if m.user is not None}
    in_unit = set(Membership.objects.filter(unit=unit, user_id__in=member_ids).values_list("user_id", flat=True))
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=member_ids)}
    for i, m in enumerate(members, start=1):
        if m.user is not None:
            if m.user.pk not in in_unit:
                errors.setdefault("members", []).append(
                    _("Anggota %(n)s: pengguna bukan anggota unit kerja ini.") % {"n": i})
                continue
            profile = profiles.get(m.user.pk)
            m.name = m.name or m.user.get_full_name() or m.user.username
            m.nip = m.nip or (profile.nip if profile else "")
            m.position = m.position or (profile.position if profile else "")
        row = TeamMember(order=i, user=m.user, name=" ".join(m.name.split()), nip=normalize_nip(m.nip or ""),
                         position=" ".join(m.position.split()), role=m.role,
                         component=m.component if m.role == TeamRole.KOORDINATOR else "")
        try:
            row.full_clean(exclude=["team"])
        except ValidationError as exc:
            errors.setdefault("members", []).extend(
                f"{_('Anggota')} {i}: {msg}" for msgs in exc.message_dict.values() for msg in msgs)
        if m.role == TeamRole.KOORDINATOR and m.component not in Area.values:
            errors.setdefault("members", []).append(
                _("Anggota %(n)s: koordinator harus menyebut area (I–VI) yang dikoordinasi.") % {"n": i})
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    with _Storing() as stored, transaction.atomic():
        if sk_file is not None:
            _store(team, sk_file, stored)
        previous = (Team.objects.select_for_update()
                    .filter(unit=unit, kind=kind, name=team.name, replaced_by__isnull=True).first())
        team.save()
        for row in rows:
            row.team = team
        TeamMember.objects.bulk_create(rows)
        if previous is not None:
            previous.replaced_by = team
            previous.save(update_fields=["replaced_by"])
        audit_record(actor=actor, action="team.sk", unit=unit, obj=team, ip=ip,
                     summary=_("SK %(no)s: %(name)s (%(n)s anggota)") % {"no": team.sk_number, "name": team.name,
                                                                        "n": len(rows)},
                     data={"kind": kind, "sk_number": team.sk_number, "sk_date": sk_date.isoformat(),
                           "members": [{"name": r.name, "role": r.role, "component": r.component} for r in rows],
                           "file": team.file_name, "sha256": team.file_sha256,
                           "previous": None if previous is None else {"id": previous.pk,
                                                                      "sk_number": previous.sk_number}})
    return team


# -- priority targets ---------------------------------------------------------------------------------------------

def priority_targets_set(*, plan: Plan, titles: list[str], actor=None, membership: Membership | None = None,
                         ip: str | None = None, check_role: bool = True) -> list[PriorityTarget]:
    """Make `titles` the plan's ordered priority targets (number = position). An existing number keeps its links
    and gets the new title; numbers beyond the new list are removed with their links."""
    if check_role:
        require_manager(membership)
    titles = [" ".join(t.split()) for t in titles]
    if any(not t for t in titles):
        raise ValidationError({"titles": _("Judul target prioritas tidak boleh kosong.")})
    with transaction.atomic():
        existing = {p.number: p for p in PriorityTarget.objects.select_for_update().filter(plan=plan)}
        before = {n: p.title for n, p in sorted(existing.items())}
        out = []
        for number, title in enumerate(titles, start=1):
            p = existing.get(number) or PriorityTarget(plan=plan, number=number)
            p.title = title
            p.full_clean()
            p.save()
            out.append(p)
        PriorityTarget.objects.filter(plan=plan, number__gt=len(titles)).delete()
        audit_record(actor=actor, action="priority.set", unit_id=plan.unit_id, obj=plan, ip=ip,
                     summary=_("Target prioritas: %(n)s butir") % {"n": len(titles)},
                     data={"titles": titles, "previous": before})
    return out


def priority_links_set(*, priority: PriorityTarget, steps, actor=None, membership: Membership | None = None,
                       ip: str | None = None, check_role: bool = True) -> tuple[list[int], list[int]]:
    """Make `steps` exactly the action steps serving `priority`; they must belong to its plan."""
    if check_role:
        require_manager(membership)
    wanted = {s.pk for s in steps}
    with transaction.atomic():
        inside = set(ActionStep.objects.filter(pk__in=wanted, indicator__subcomponent__component__plan_id=
                                               priority.plan_id).values_list("pk", flat=True))
        if wanted - inside:
            raise ValidationError(_("Langkah aksi harus dari rencana kerja yang sama."))
        current = set(PriorityLink.objects.select_for_update().filter(priority=priority)
                      .values_list("step_id", flat=True))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        PriorityLink.objects.filter(priority=priority, step_id__in=removed).delete()
        PriorityLink.objects.bulk_create([PriorityLink(priority=priority, step_id=pk) for pk in added])
        if added or removed:
            audit_record(actor=actor, action="priority.links", unit_id=priority.plan.unit_id, obj=priority, ip=ip,
                         summary=_("Target prioritas %(n)s: +%(a)s / -%(r)s langkah aksi")
                         % {"n": priority.number, "a": len(added), "r": len(removed)},
                         data={"added": added, "removed": removed, "previous": sorted(current)})
    return added, removed


def priority_links_from_import(*, plan: Plan, numbers_by_step: dict[int, list[int]], actor=None) -> int:
    """Links from the plan import's PRIORITAS column (step id → priority numbers). Numbers without a priority
    target yet get a placeholder title the Ketua Tim renames. Returns the number of links made."""
    wanted = sorted({n for ns in numbers_by_step.values() for n in ns})
    if not wanted:
        return 0
    existing = {p.number: p for p in PriorityTarget.objects.filter(plan=plan)}
    missing = [PriorityTarget(plan=plan, number=n, title=_("Target prioritas %(n)s") % {"n": n})
               for n in wanted if n not in existing]
    PriorityTarget.objects.bulk_create(missing)
    by_number = {p.number: p.pk for p in PriorityTarget.objects.filter(plan=plan)}
    links = [PriorityLink(priority_id=by_number[n], step_id=step_id)
             for step_id, ns in numbers_by_step.items() for n in sorted(set(ns))]
    PriorityLink.objects.bulk_create(links, ignore_conflicts=True)
    audit_record(actor=actor, action="priority.import", unit_id=plan.unit_id, obj=plan,
                 summary=_("Kolom PRIORITAS: %(n)s tautan") % {"n": len(links)},
                 data={"numbers": wanted, "created": [p.number for p in missing]})
    return len(links)


# -- staff register -----------------------------------------------------------------------------------------------

STAFF_COLUMNS = {
    "name": ("NAMA", "NAMA PEGAWAI", "NAMA LENGKAP"),
    "nip": ("NIP",),
    "position": ("JABATAN",),
    "eselon": ("ESELON",),
    "golongan": ("GOLONGAN", "PANGKAT GOLONGAN", "PANGKAT", "GOL", "GOL RUANG"),
}
_STAFF_LOOKUP = {s: k for k, spellings in STAFF_COLUMNS.items() for s in spellings}
STAFF_LIMITS = {"name": 200, "position": 200, "eselon": 20, "golongan": 60}


class StaffImportError(Exception):
    """The staff list was refused; nothing was saved. `.errors` are RowIssues, `.report()` the text."""

    def __init__(self, errors: list[RowIssue]):
        self.errors = errors
        super().__init__(f"Impor pegawai ditolak ({len(errors)} kesalahan). {errors[0].render() if errors else ''}")

    def report(self) -> str:
        return render_report(self.errors, [])


@dataclass
class StaffImportResult:
    created: int = 0
    updated: int = 0
    reactivated: int = 0
    deactivated: int = 0
    total: int = 0
    active: int = 0
    rows: list = field(default_factory=list)


def _staff_key(nip: str, name: str) -> str:
    return f"nip:{nip}" if nip else f"nama:{' '.join(name.lower().split())}"


def parse_staff_table(data: bytes, filename: str) -> tuple[list[dict], list[RowIssue]]:
    """Rows of a staff list (columns NAMA and NIP required, JABATAN, ESELON, GOLONGAN optional; header in the
    first rows; case-insensitive). Returns (rows, errors)."""
    try:
        rows, _fmt, _remarks = read_rows(data, filename)
    except TableReadError as exc:
        return [], [RowIssue(None, None, str(exc), "error")]
    header_index, mapping = 0, {}
    for index, row in enumerate(rows[:10]):
        found = {}
        for col, raw in enumerate(row):
            key = _STAFF_LOOKUP.get(normalize_header(raw))
            if key and key not in found:
                found[key] = col
        if len(found) > len(mapping):
            header_index, mapping = index, found
    errors: list[RowIssue] = []
    for col in ("name", "nip"):
        if col not in mapping:
            errors.append(RowIssue(None, STAFF_COLUMNS[col][0], _("Kolom %(c)s tidak ditemukan di baris judul.")
                                   % {"c": STAFF_COLUMNS[col][0]}, "error"))
    if errors:
        return [], errors
    out, seen = [], {}
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        row_no = index + 1
        values = {k: cell_text(raw[c]) if c < len(raw) else "" for k, c in mapping.items()}
        if not any(values.values()):
            continue
        values["nip"] = normalize_nip(values.get("nip", "")).replace("'", "")
        if not values["name"]:
            errors.append(RowIssue(row_no, "NAMA", _("Nama pegawai kosong."), "error"))
        for key, limit in STAFF_LIMITS.items():
            if len(values.get(key, "")) > limit:
                errors.append(RowIssue(row_no, STAFF_COLUMNS[key][0],
                                       _("Lebih dari %(n)s karakter.") % {"n": limit}, "error"))
        if values["nip"]:
            try:
                validate_nip(values["nip"])
            except ValidationError as exc:
                errors.append(RowIssue(row_no, "NIP", " ".join(exc.messages), "error"))
        key = _staff_key(values["nip"], values["name"])
        if key in seen:
            errors.append(RowIssue(row_no, "NIP" if values["nip"] else "NAMA",
                                   _("Pegawai yang sama sudah ada di baris %(r)s.") % {"r": seen[key]}, "error"))
        seen[key] = row_no
        out.append({"row": row_no, **{k: values.get(k, "") for k in STAFF_COLUMNS}})
    if not out and not errors:
        errors.append(RowIssue(None, None, _("Daftar pegawai tidak berisi satu baris pun."), "error"))
    return out, errors


def staff_import(*, unit: Unit, data: bytes, filename: str, actor=None, membership: Membership | None = None,
                 ip: str | None = None, check_role: bool = True, dry_run: bool = False) -> StaffImportResult:
    """Import the unit's staff list, all or nothing (StaffImportError with a row-by-row report). Re-import syncs:
    a person is matched by NIP (or by name when they have none) and updated; people missing from the new list
    become inactive (never deleted); a returning person becomes active again. Staff are linked to the portal
    account whose profile has the same NIP, for reminders."""
    if check_role:
        require_manager(membership)
    rows, errors = parse_staff_table(data, filename)
    if errors:
        raise StaffImportError(errors)
    result = StaffImportResult(rows=rows)
    with transaction.atomic():
        existing = {_staff_key(s.nip, s.name): s for s in StaffMember.objects.select_for_update().filter(unit=unit)}
        accounts = dict(Profile.objects.filter(nip__in=[r["nip"] for r in rows if r["nip"]],
                                               user__memberships__unit=unit).values_list("nip", "user_id"))
        new, changed, seen = [], [], set()
        for order, r in enumerate(rows, start=1):
            key = _staff_key(r["nip"], r["name"])
            seen.add(key)
            s = existing.get(key)
            values = {"name": r["name"], "nip": r["nip"], "position": r["position"], "eselon": r["eselon"],
                      "golongan": r["golongan"], "order": order, "user_id": accounts.get(r["nip"])}
            if s is None:
                new.append(StaffMember(unit=unit, is_active=True, **values))
                continue
            if not s.is_active:
                result.reactivated += 1
            if not s.is_active or any(getattr(s, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(s, k, v)
                s.is_active = True
                changed.append(s)
        leavers = [s for k, s in existing.items() if k not in seen and s.is_active]
        for s in leavers:
            s.is_active = False
        result.created, result.updated, result.deactivated = len(new), len(changed), len(leavers)
        StaffMember.objects.bulk_create(new)
        StaffMember.objects.bulk_update(changed + leavers, ["name", "nip", "position", "eselon", "golongan",
                                                            "order", "user_id", "is_active"])
        result.total = StaffMember.objects.filter(unit=unit).count()
        result.active = StaffMember.objects.filter(unit=unit, is_active=True).count()
        audit_record(actor=actor, action="staff.import", unit=unit, obj=unit, ip=ip,
                     summary=_("Daftar pegawai %(f)s: %(c)s baru, %(u)s diperbarui, %(d)s nonaktif")
                     % {"f": filename[:100], "c": result.created, "u": result.updated, "d": result.deactivated},
                     data={"file": filename[:200], "rows": len(rows), "created": result.created,
                           "updated": result.updated, "deactivated": [s.pk for s in leavers],
                           "reactivated": result.reactivated})
        if dry_run:
            transaction.set_rollback(True)
    return result


# -- Pakta Integritas and LHKPN/LHKASN ----------------------------------------------------------------------------

def _check_year(year: int) -> None:
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Tahun harus antara 2000 dan 2100.")})


def pakta_record(*, staff: StaffMember, year: int, signed_on: datetime.date, scan=None, actor=None,
                 membership: Membership | None = None, ip: str | None = None,
                 check_role: bool = True) -> PaktaIntegritas:
    """Record one person's signed Pakta Integritas for `year` (with the scan, content-checked). A person signs
    once a year: a second record for the same year is refused."""
    if check_role:
        require_manager(membership)
    _check_year(year)
    if not staff.is_active:
        raise ValidationError(_("Pegawai ini sudah tidak aktif."))
    if PaktaIntegritas.objects.filter(staff=staff, year=year).exists():
        raise ValidationError(_("Pakta integritas %(name)s tahun %(y)s sudah tercatat.") % {"name": staff.name,
                                                                                            "y": year})
    pakta = PaktaIntegritas(staff=staff, year=year, signed_on=signed_on, recorded_by=actor)
    pakta.full_clean(exclude=["file"])
    with _Storing() as stored, transaction.atomic():
        if scan is not None:
            _store(pakta, scan, stored)
        pakta.save()
        audit_record(actor=actor, action="pakta.sign", unit_id=staff.unit_id, obj=pakta, ip=ip,
                     summary=_("Pakta integritas %(y)s: %(name)s") % {"y": year, "name": staff.name},
                     data={"staff": staff.pk, "year": year, "signed_on": signed_on.isoformat(),
                           "file": pakta.file_name, "sha256": pakta.file_sha256})
    return pakta


def pakta_bulk_record(*, unit: Unit, year: int, signed_on: datetime.date, event: str, staff_ids, scan=None,
                      actor=None, membership: Membership | None = None, ip: str | None = None,
                      check_role: bool = True) -> PaktaBatch:
    """A mass signing: one scan and date for many people. People who already signed for the year are refused
    (nothing is saved), so the register never holds two records for one person and year."""
    if check_role:
        require_manager(membership)
    _check_year(year)
    ids = {int(i) for i in staff_ids}
    if not ids:
        raise ValidationError({"staff": _("Pilih pegawai yang menandatangani.")})
    people = list(StaffMember.objects.filter(unit=unit, pk__in=ids, is_active=True))
    if len(people) != len(ids):
        raise ValidationError({"staff": _("Pegawai yang dipilih harus pegawai aktif unit kerja ini.")})
    signed = list(PaktaIntegritas.objects.filter(staff_id__in=ids, year=year).values_list("staff__name", flat=True))
    if signed:
        raise ValidationError({"staff": _("Sudah tercatat menandatangani tahun %(y)s: %(names)s")
                               % {"y": year, "names": ", ".join(sorted(signed)[:10])}})
    batch = PaktaBatch(unit=unit, year=year, signed_on=signed_on, event=" ".join((event or "").split()),
                       created_by=actor)
    batch.full_clean(exclude=["file"])
    with _Storing() as stored, transaction.atomic():
        if scan is not None:
            _store(batch, scan, stored)
        batch.save()
        PaktaIntegritas.objects.bulk_create([PaktaIntegritas(staff=s, year=year, signed_on=signed_on, batch=batch,
                                                             recorded_by=actor) for s in people])
        audit_record(actor=actor, action="pakta.batch", unit=unit, obj=batch, ip=ip,
                     summary=_("Penandatanganan massal %(y)s: %(n)s orang (%(e)s)")
                     % {"y": year, "n": len(people), "e": batch.event[:100]},
                     data={"year": year, "signed_on": signed_on.isoformat(), "staff": sorted(ids),
                           "file": batch.file_name, "sha256": batch.file_sha256})
    return batch


def asset_report_set(*, staff: StaffMember, year: int, kind: str, must_file: bool,
                     filed_on: datetime.date | None, actor=None, membership: Membership | None = None,
                     ip: str | None = None, check_role: bool = True) -> AssetReport:
    """Set a person's LHKPN/LHKASN status for `year` (must file? filed on?), keeping the previous value in the
    audit trail."""
    if check_role:
        require_manager(membership)
    _check_year(year)
    if kind not in AssetReportKind.values:
        raise ValidationError({"kind": _("Pilih LHKPN atau LHKASN.")})
    if filed_on is not None and not must_file:
        raise ValidationError({"filed_on": _("Tanggal lapor hanya untuk pegawai yang wajib lapor.")})
    with transaction.atomic():
        report = AssetReport.objects.select_for_update().filter(staff=staff, year=year).first()
        previous = None if report is None else {"kind": report.kind, "must_file": report.must_file,
                                                "filed_on": report.filed_on.isoformat() if report.filed_on else None}
        report = report or AssetReport(staff=staff, year=year)
        report.kind, report.must_file, report.filed_on, report.updated_by = kind, must_file, filed_on, actor
        report.full_clean()
        report.save()
        audit_record(actor=actor, action="lhkpn.set", unit_id=staff.unit_id, obj=report, ip=ip,
                     summary=f"{report.get_kind_display()} {year}: {staff.name}",
                     data={"staff": staff.pk, "year": year, "kind": kind, "must_file": must_file,
                           "filed_on": filed_on.isoformat() if filed_on else None, "previous": previous})
    return report
