"""Multi-step writes of the action-plan app. Each service validates, writes in one transaction and records the
audit event in that same transaction (STYLE.md, habit 3)."""
from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.urls import reverse

from actionplan.audit import audit_record
from zi_portal.lib.db import retry_once_on_deadlock

from .importing import RowIssue, parse_plan_table, read_source, render_report
from .models import (
    DEFAULT_WEIGHTS,
    ActionStep,
    Assignment,
    Component,
    Indicator,
    Membership,
    Plan,
    Profile,
    Role,
    SubComponent,
    Target,
    Unit,
)
from .signals import plan_priorities_imported
from .target_dates import semester_of

# -- plan import --------------------------------------------------------------------------------------------------

COUNT_LABELS = {
    "components": "komponen",
    "subcomponents": "sub-komponen",
    "indicators": "indikator",
    "steps": "langkah aksi",
    "targets": "target",
    "warnings": "peringatan",
    "notes": "catatan",
    "review": "perlu ditinjau",
}


class PlanImportError(Exception):
    """The table was refused; nothing was saved. `.errors`/`.warnings` are RowIssues, `.report()` the text."""

    PLAN_EXISTS = "plan_exists"   # `code` when a plan for (unit, year) exists and `replace` was not asked for

    def __init__(self, errors: list[RowIssue], warnings: list[RowIssue] | None = None, code: str = ""):
        self.errors = list(errors)
        self.warnings = list(warnings or [])
        self.code = code
        first = self.errors[0].render() if self.errors else ""
        super().__init__(f"Impor ditolak ({len(self.errors)} kesalahan). {first}")

    def report(self) -> str:
        return render_report(self.errors, self.warnings)


@dataclass
class ImportResult:
    """What an import created (or, for a dry run, would create). `plan` is None for a dry run."""

    plan: Plan | None
    counts: dict[str, int]
    warnings: list[RowIssue] = field(default_factory=list)
    dry_run: bool = False
    replaced: bool = False

    def report(self) -> str:
        return render_report([], self.warnings)

    def count_lines(self) -> list[str]:
        """Stable "label: N" lines, one per count, as the command prints them."""
        return [f"{label}: {self.counts[key]}" for key, label in COUNT_LABELS.items()]


class _DryRunRollback(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def default_plan_title(unit: Unit, year: int) -> str:
    return f"Rencana Kerja Pembangunan Zona Integritas {unit.name} Tahun {year}"


@retry_once_on_deadlock
def plan_import(*, source, filename: str, unit: Unit, year: int, title: str | None = None, replace: bool = False,
                dry_run: bool = False, actor=None, ip: str | None = None) -> ImportResult:
    """Import a plan table (xlsx/csv/tsv) as the plan of `unit` for `year`, all or nothing.

    Raises PlanImportError, with nothing saved, when any row is wrong or a plan for (unit, year) exists and
    `replace` is False. With `replace` the existing Plan row is kept (id, status; title unless `title` is given),
    its tree is deleted and rebuilt, and the weights of its components are kept.

    Each level of the tree is written with one bulk_create, so the number of queries does not grow with the
    number of rows (except for the backend's own batching of very large inserts, see README/benchmarks).

    Locks: the Plan row first (FOR UPDATE), then its tree; uploads and comments lock the plan row (shared) first
    too, so a replacement and concurrent uploads never wait on each other in opposite orders. Should PostgreSQL
    still report a deadlock, the whole import runs once more.

    `dry_run` runs the complete import inside the transaction and then rolls it back: the counts are the real
    ones and database-level problems are found too, but nothing (not even the audit event) remains.
    """
    data = read_source(source)
    table = parse_plan_table(data, filename=filename, plan_year=year)
    year_errors = _year_errors(year)
    if year_errors or table.errors:
        raise PlanImportError(year_errors + table.errors, table.warnings)
    counts = table.counts()
    try:
        with transaction.atomic():
            existing = Plan.objects.select_for_update().filter(unit=unit, year=year).first()
            if existing is not None and not replace:
                # How to ask for the replacement is the caller's to say (a command option, a checkbox).
                raise PlanImportError([RowIssue(None, None, (
                    f"Rencana kerja {unit.name} tahun {year} sudah ada (id {existing.pk}); tidak ada yang "
                    "disimpan."), "error")], table.warnings, code=PlanImportError.PLAN_EXISTS)
            plan, weights = _plan_for_import(existing, unit=unit, year=year, title=title)
            _write_tree(plan, table, weights)
            action = "plan.replace" if existing is not None else "plan.import"
            verb = "diganti dari" if existing is not None else "diimpor dari"
            audit_record(
                actor=actor, action=action, unit=unit, obj=plan,
                summary=(f"Rencana kerja {year} {verb} {filename}: {counts['components']} komponen, "
                         f"{counts['subcomponents']} sub-komponen, {counts['indicators']} indikator, "
                         f"{counts['targets']} target"),
                data={"counts": counts, "filename": filename, "sha256": hashlib.sha256(data).hexdigest(),
                      "format": table.file_format, "replace": existing is not None},
                ip=ip,
            )
            result = ImportResult(plan=plan, counts=counts, warnings=table.warnings, dry_run=dry_run,
                                  replaced=existing is not None)
            if dry_run:
                raise _DryRunRollback(result)
    except _DryRunRollback as rollback:
        rollback.result.plan = None
        return rollback.result
    except (ProtectedError, RestrictedError):
        raise PlanImportError([RowIssue(None, None, (
            f"Rencana kerja {unit.name} tahun {year} tidak dapat diganti karena datanya sudah dipakai "
            "(mis. bukti fisik yang sudah diunggah). Tidak ada yang diubah."), "error")], table.warnings) from None
    except IntegrityError as exc:
        if not replace and Plan.objects.filter(unit=unit, year=year).exists():
            # Another import of the same (unit, year) committed between our check and our insert.
            message = (f"Rencana kerja {unit.name} tahun {year} baru saja dibuat oleh proses lain. Tidak ada yang "
                       "disimpan.")
            code = PlanImportError.PLAN_EXISTS
        else:
            message, code = f"Basis data menolak data rencana kerja ({exc}). Tidak ada yang disimpan.", ""
        raise PlanImportError([RowIssue(None, None, message, "error")], table.warnings, code=code) from None
    except ValidationError as exc:
        raise PlanImportError([RowIssue(None, None, f"Data tidak sah: {'; '.join(exc.messages)}", "error")],
                              table.warnings) from None
    return result


def _year_errors(year: int) -> list[RowIssue]:
    field_ = Plan._meta.get_field("year")
    try:
        field_.clean(year, None)
    except ValidationError as exc:
        return [RowIssue(None, None, f"Tahun {year} tidak sah: {'; '.join(exc.messages)}", "error")]
    return []


def _plan_for_import(existing: Plan | None, *, unit: Unit, year: int, title: str | None):
    """The Plan row to fill (created, or the existing one emptied) and the weights to keep per component code."""
    if existing is None:
        plan = Plan(unit=unit, year=year, title=title or default_plan_title(unit, year))
        plan.full_clean()
        plan.save()
        return plan, dict(DEFAULT_WEIGHTS)
    weights = dict(DEFAULT_WEIGHTS)
    weights.update(dict(existing.components.values_list("code", "weight")))
    # Bottom-up, so each level is one DELETE when nothing else points at it.
    Target.objects.filter(step__indicator__subcomponent__component__plan=existing).delete()
    ActionStep.objects.filter(indicator__subcomponent__component__plan=existing).delete()
    Indicator.objects.filter(subcomponent__component__plan=existing).delete()
    SubComponent.objects.filter(component__plan=existing).delete()
    Component.objects.filter(plan=existing).delete()
    if title:
        existing.title = title
        existing.full_clean(validate_unique=False)
        existing.save(update_fields=["title"])
    return existing, weights


def _clean(obj, *, exclude: list[str]) -> None:
    # Field validation only: uniqueness was checked on the table (and is enforced by the constraints), and the
    # parent foreign keys are objects created a moment ago. Checking them here would cost a query per row.
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _bulk_create(model, objs: list, key, parent_filter: dict) -> None:
    """bulk_create that leaves every object with its pk. PostgreSQL and SQLite ≥ 3.35 return the pks
    (RETURNING); other backends get them back with one query by a natural key unique within this import."""
    model.objects.bulk_create(objs)
    if objs and objs[0].pk is None:
        by_key = {key(o): o.pk for o in model.objects.filter(**parent_filter)}
        for obj in objs:
            obj.pk = by_key[key(obj)]


def _write_tree(plan: Plan, table, weights: dict) -> None:
    components, subs, indicators, steps, targets = [], [], [], [], []
    for order, pc in enumerate(table.components, start=1):
        component = Component(plan=plan, code=pc.code, name=pc.name, order=order, weight=weights[pc.code])
        _clean(component, exclude=["plan"])
        components.append((component, pc))
    _bulk_create(Component, [c for c, _ in components], lambda o: o.code, {"plan": plan})

    for component, pc in components:
        for ps in pc.subcomponents:
            sub = SubComponent(component=component, number=ps.number, name=ps.name)
            _clean(sub, exclude=["component"])
            subs.append((sub, ps))
    _bulk_create(SubComponent, [s for s, _ in subs], lambda o: (o.component_id, o.number),
                 {"component__plan": plan})

    for sub, ps in subs:
        for order, pi in enumerate(ps.indicators, start=1):
            indicator = Indicator(subcomponent=sub, order=order, text=pi.text)
            _clean(indicator, exclude=["subcomponent"])
            indicators.append((indicator, pi))
    _bulk_create(Indicator, [i for i, _ in indicators], lambda o: (o.subcomponent_id, o.order),
                 {"subcomponent__component__plan": plan})

    for indicator, pi in indicators:
        for order, pst in enumerate(pi.steps, start=1):
            step = ActionStep(indicator=indicator, order=order, description=pst.description,
                              evidence_required=pst.evidence_required, target_text=pst.target_text,
                              responsible_text=pst.responsible_text, review_reason=pst.review_reason,
                              parse_warnings=list(pst.parse_warnings), parse_notes=list(pst.parse_notes),
                              source_row=pst.row)
            _clean(step, exclude=["indicator"])
            steps.append((step, pst))
    _bulk_create(ActionStep, [s for s, _ in steps], lambda o: (o.indicator_id, o.order),
                 {"indicator__subcomponent__component__plan": plan})
    priorities = {step.pk: pst.priorities for step, pst in steps if pst.priorities}
    if priorities:  # the optional PRIORITAS column (issue 11)
        plan_priorities_imported.send(sender=Plan, plan=plan, priorities=priorities)

    warning_max = Target._meta.get_field("warning").max_length
    for step, pst in steps:
        for due_date in pst.dates or (None,):
            target = Target.for_date(step, due_date, pst.date_warning(due_date)[:warning_max] if due_date else "")
            _clean(target, exclude=["step"])
            targets.append(target)
    Target.objects.bulk_create(targets)


# -- plan export --------------------------------------------------------------------------------------------------

EXPORT_FORMATS = {"xlsx", "csv", "tsv"}


def plan_export_dataset(*, plan: Plan) -> tablib.Dataset:
    """The plan as the 7-column table (NO … PENANGGUNG JAWAB) in the import's row grammar, so that exporting and
    importing again gives the same tree. Text a spreadsheet would run as a formula is neutralised."""
    from .resources import PlanTableResource

    dataset = PlanTableResource(plan=plan).export()
    dataset.title = "Rencana Aksi"
    return dataset


def plan_export_file(*, plan: Plan, file_format: str = "xlsx") -> tuple[str, bytes, str]:
    """(filename, content, content type) of the plan table as xlsx, csv (UTF-8 with BOM, for Excel) or tsv."""
    from django.utils.text import slugify
    from import_export.formats.base_formats import CSV, TSV, XLSX

    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    fmt = {"xlsx": XLSX, "csv": CSV, "tsv": TSV}[file_format]()
    content = fmt.export_data(plan_export_dataset(plan=plan))
    if isinstance(content, str):
        content = content.encode("utf-8-sig")
    filename = f"rencana-kerja-{slugify(plan.unit.name)[:80]}-{plan.year}.{file_format}"
    return filename, content, fmt.get_content_type()


# -- units and people ---------------------------------------------------------------------------------------------

def unit_create(*, name: str, actor=None, ip: str | None = None) -> Unit:
    """A new unit kerja with only its name (the rest is filled in the admin)."""
    with transaction.atomic():
        unit = Unit(name=" ".join(name.split()))
        unit.full_clean()
        unit.save()
        audit_record(actor=actor, action="unit.create", unit=unit, obj=unit, summary=f"Unit kerja {unit.name} dibuat",
                     ip=ip)
    return unit


def person_ensure(*, username: str, full_name: str, nip: str, position: str, unit: Unit, role: str,
                  password: str, actor=None) -> tuple:
    """(user, created): the user with a profile and a membership of `unit` in `role`. Idempotent: an existing
    user keeps password, names, profile and role; only what is missing is added."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            first, _, last = full_name.partition(" ")
            user = User(username=username, first_name=first[:150], last_name=last[:150])
            user.set_password(password)
            user.full_clean(exclude=["password"])
            user.save()
        if not Profile.objects.filter(user=user).exists():
            profile = Profile(user=user, nip=nip, position=position)
            profile.full_clean()
            profile.save()
        if not Membership.objects.filter(user=user, unit=unit).exists():
            membership = Membership(user=user, unit=unit, role=role)
            membership.full_clean()
            membership.save()
        if created:
            audit_record(actor=actor, action="person.create", unit=unit, obj=user,
                         summary=f"Pengguna {username} dibuat sebagai {role} di {unit.name}")
    return user, created


def assignments_set(*, step: ActionStep, users, actor, ip: str | None = None) -> tuple[list, list]:
    """Make `users` exactly the people responsible for `step`; returns (added, removed) usernames.
    Only members of the step's unit can be assigned. The change is recorded in the audit trail."""
    unit_id = step.indicator.subcomponent.component.plan.unit_id
    wanted = {u.pk: u for u in users}
    with transaction.atomic():
        outside = set(wanted) - set(Membership.objects.filter(unit_id=unit_id, user_id__in=wanted)
                                    .values_list("user_id", flat=True))
        if outside:
            raise ValidationError("Penanggung jawab harus anggota unit kerja ini.")
        current = {a.user_id: a for a in Assignment.objects.select_for_update().filter(step=step)
                   .select_related("user")}
        removed = [current[pk].user.username for pk in current.keys() - wanted.keys()]
        Assignment.objects.filter(step=step, user_id__in=current.keys() - wanted.keys()).delete()
        added_ids = wanted.keys() - current.keys()
        Assignment.objects.bulk_create([Assignment(step=step, user_id=pk, assigned_by=actor) for pk in added_ids])
        added = [wanted[pk].username for pk in added_ids]
        if added or removed:
            audit_record(actor=actor, action="step.assign", unit_id=unit_id, obj=step, ip=ip,
                         summary="Penanggung jawab: " + ", ".join(
                             [f"+{n}" for n in sorted(added)] + [f"-{n}" for n in sorted(removed)]),
                         data={"added": sorted(added), "removed": sorted(removed)})
    return sorted(added), sorted(removed)


# -- the team: the Ketua Tim adds, re-roles and removes the unit's people ----------------------------------------

def _ketua_check(*, unit: Unit, actor) -> None:
    if not Membership.objects.filter(unit=unit, user=actor, role=Role.KETUA).exists():
        raise PermissionDenied("Hanya Ketua Tim unit ini yang mengatur anggota tim.")


def _person_label(user) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


def member_add(*, unit: Unit, identifier: str, role: str, actor, ip: str | None = None) -> Membership:
    """Add an existing account — found by its username or its e-mail address (exactly one) — to `unit` in
    `role`, and tell them by e-mail. Refused when the person already belongs to the unit."""
    from zi_portal.lib.email import absolute_url, send_email

    User = get_user_model()
    identifier = (identifier or "").strip()
    _ketua_check(unit=unit, actor=actor)
    matches = list(User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier),
                                       is_active=True)[:2]) if identifier else []
    if len(matches) != 1:
        raise ValidationError({"identifier": "Tidak ada satu akun pun dengan nama pengguna atau e-mail itu."
                               if not matches else "Lebih dari satu akun memakai e-mail itu; pakai nama pengguna."})
    user = matches[0]
    with transaction.atomic():
        if Membership.objects.filter(unit=unit, user=user).exists():
            raise ValidationError({"identifier": f"{_person_label(user)} sudah menjadi anggota unit ini."})
        membership = Membership(unit=unit, user=user, role=role)
        membership.full_clean()
        membership.save()
        audit_record(actor=actor, action="membership.add", unit=unit, obj=membership, ip=ip,
                     summary=f"{_person_label(user)} ditambahkan sebagai {membership.get_role_display()}",
                     data={"user": user.pk, "role": role})
        if user.email:
            transaction.on_commit(lambda: send_email("team-added", to=[user.email], context={
                "recipient_name": user.get_full_name() or user.username, "unit": unit.name,
                "role": membership.get_role_display(), "login_url": absolute_url(reverse("login"))}))
    return membership


def member_invite(*, unit: Unit, username: str, full_name: str, email: str, role: str, actor,
                  ip: str | None = None) -> Membership:
    """A new account (no usable password) in `unit` with `role`, and a mail with a one-time link to set its
    password: Django's password-reset token, so the link dies once the password is set (or after
    PASSWORD_RESET_TIMEOUT) and the set-password page is the portal's own."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from zi_portal.lib.email import absolute_url, send_email

    User = get_user_model()
    _ketua_check(unit=unit, actor=actor)
    username, email = (username or "").strip(), (email or "").strip()
    first, _sep, last = " ".join((full_name or "").split()).partition(" ")
    with transaction.atomic():
        errors = {}
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = "Nama pengguna itu sudah dipakai."
        if email and User.objects.filter(email__iexact=email).exists():
            errors["email"] = "E-mail itu sudah dipakai akun lain: tambahkan akun itu sebagai akun yang ada."
        user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        if not email:
            errors["email"] = "E-mail wajib diisi: tautan pembuatan kata sandi dikirim ke sana."
        if not first:
            errors["full_name"] = "Nama lengkap wajib diisi."
        if errors:
            raise ValidationError(errors)
        user.save()
        Profile.objects.create(user=user)
        membership = Membership(unit=unit, user=user, role=role)
        membership.full_clean()
        membership.save()
        audit_record(actor=actor, action="membership.invite", unit=unit, obj=membership, ip=ip,
                     summary=f"Akun baru {_person_label(user)} dibuat sebagai {membership.get_role_display()}; "
                             f"tautan kata sandi dikirim ke {email}",
                     data={"user": user.pk, "role": role, "email": email})
        link = absolute_url(reverse("password_reset_confirm", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}))
        transaction.on_commit(lambda: send_email("team-invite", to=[email], context={
            "recipient_name": user.get_full_name() or user.username, "username": user.username, "unit": unit.name,
            "role": membership.get_role_display(), "invited_by": actor.get_full_name() or actor.username,
            "set_password_url": link}))
    return membership


def _last_ketua(membership: Membership) -> bool:
    return (membership.role == Role.KETUA and not Membership.objects.filter(unit_id=membership.unit_id, role=Role.KETUA)
            .exclude(pk=membership.pk).exists())


def membership_role_set(*, membership: Membership, role: str, actor, ip: str | None = None) -> Membership:
    """Change a person's role in the unit. The unit keeps at least one Ketua Tim."""
    with transaction.atomic():
        _ketua_check(unit=membership.unit, actor=actor)
        # Locked in unit order, so two Ketua demoting each other at once cannot both succeed.
        list(Membership.objects.select_for_update().filter(unit_id=membership.unit_id, role=Role.KETUA))
        membership = Membership.objects.select_for_update().select_related("user", "unit").get(pk=membership.pk)
        before = membership.role
        if role == before:
            raise ValidationError({"role": "Peran itu sudah peran orang ini."})
        if _last_ketua(membership):
            raise ValidationError({"role": "Unit harus tetap punya Ketua Tim: tetapkan Ketua Tim lain lebih dulu."})
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        audit_record(actor=actor, action="membership.role", unit=membership.unit, obj=membership, ip=ip,
                     summary=f"Peran {_person_label(membership.user)}: {Role(before).label} → "
                             f"{membership.get_role_display()}",
                     data={"user": membership.user_id, "from": before, "to": role})
    return membership


def membership_remove(*, membership: Membership, actor, ip: str | None = None) -> None:
    """Remove a person from the unit, and from the action steps of the unit they were responsible for. Their
    account, uploads and decisions stay. The last Ketua Tim cannot be removed."""
    with transaction.atomic():
        _ketua_check(unit=membership.unit, actor=actor)
        list(Membership.objects.select_for_update().filter(unit_id=membership.unit_id, role=Role.KETUA))
        membership = Membership.objects.select_for_update().select_related("user", "unit").get(pk=membership.pk)
        if _last_ketua(membership):
            raise ValidationError("Ketua Tim terakhir tidak dapat dikeluarkan: tetapkan Ketua Tim lain lebih dulu.")
        steps = list(Assignment.objects.filter(user_id=membership.user_id,
                                               step__indicator__subcomponent__component__plan__unit_id=membership
                                               .unit_id).values_list("step_id", flat=True))
        Assignment.objects.filter(user_id=membership.user_id, step_id__in=steps).delete()
        audit_record(actor=actor, action="membership.remove", unit=membership.unit, obj=membership, ip=ip,
                     summary=f"{_person_label(membership.user)} ({membership.get_role_display()}) dikeluarkan "
                             f"dari unit; penanggung jawab {len(steps)} langkah aksi dilepas",
                     data={"user": membership.user_id, "role": membership.role, "steps": steps})
        membership.delete()
# -- one's own profile ----------------------------------------------------------------------------------------------

def profile_update(*, user, first_name: str, last_name: str, email: str, nip: str, ip: str | None = None,
                   on_email_change: Callable[[Any], object] | None = None) -> list[str]:
    """Save a person's own first and last name, e-mail and NIP, all or nothing; returns the names of the fields
    that changed (empty: nothing written, nothing audited). The `Profile` row is created when it is missing.

    - E-mail is required (the password reset and the e-mail notifications go there), stored as Django normalises
      it (domain in lower case) and unique among accounts **ignoring case**, the rule the team invitation uses too.
      A change is audited on its own (``account.email``, old and new address) and `on_email_change(user)` runs in
      the same transaction (the view passes notifications' re-delivery, so this app does not import it).
    - NIP may be left empty; given, it is normalised (``19660710 199203 1 007`` is accepted) and checked by
      `validate_nip`.
    - The other changes make one ``account.profile`` event with the old and new values.

    Raises ValidationError with a message per field; nothing is saved then."""
    User = get_user_model()
    first_name, last_name = " ".join((first_name or "").split()), " ".join((last_name or "").split())
    email = User.objects.normalize_email((email or "").strip())
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
        before = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
                  "nip": profile.nip}
        user.first_name, user.last_name, user.email = first_name, last_name, email
        profile.nip = nip or ""
        errors: dict[str, list] = {}
        for obj, exclude in ((user, ["password"]), (profile, ["user"])):
            try:
                obj.full_clean(exclude=exclude)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        if not email:
            errors["email"] = ["E-mail wajib diisi: tautan lupa kata sandi dan notifikasi dikirim ke sana."]
        elif User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            errors["email"] = ["E-mail itu sudah dipakai akun lain."]
        if not first_name:
            errors["first_name"] = ["Nama depan wajib diisi."]
        if errors:
            raise ValidationError(errors)
        after = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
                 "nip": profile.nip}
        changed = [name for name in after if after[name] != before[name]]
        if not changed:
            return []
        user.save(update_fields=[n for n in ("first_name", "last_name", "email") if n in changed])
        if profile.pk is None or "nip" in changed:
            profile.save()
        if "email" in changed:
            audit_record(actor=user, action="account.email", obj=user, ip=ip,
                         summary=f"E-mail {user.get_username()} diubah dari {before['email'] or '(kosong)'} "
                                 f"menjadi {email}",
                         data={"old": before["email"], "new": email})
            if on_email_change is not None:
                on_email_change(user)
        others = [name for name in changed if name != "email"]
        if others:
            audit_record(actor=user, action="account.profile", obj=user, ip=ip,
                         summary=f"Profil {user.get_username()} diubah: "
                                 + ", ".join(PROFILE_FIELD_LABELS[name] for name in others),
                         data={name: {"old": before[name], "new": after[name]} for name in others})
    return changed


PROFILE_FIELD_LABELS = {"first_name": "nama depan", "last_name": "nama belakang", "email": "e-mail", "nip": "NIP"}


# -- due dates set by a person -------------------------------------------------------------------------------------

REASON_MAX = 500


def target_due_date_set(*, target: Target, user, membership: Membership | None, due_date: datetime.date,
                        reason: str, ip: str | None = None) -> Target:
    """The Ketua Tim of the target's unit sets or corrects its due date, with a required reason; the same date
    again confirms it (a date outside the plan year then counts as a real date, not a suspected typo). Year and
    semester follow the date; the parser's warning about the old text is cleared. Audited with the old and the new
    value; when the date changed, `actionplan.signals.target_due_date_changed` is sent after the commit."""
    from django.utils import formats, timezone

    from .signals import target_due_date_changed

    plan = target.step.indicator.subcomponent.component.plan
    if membership is None or membership.unit_id != plan.unit_id or membership.role != Role.KETUA:
        raise PermissionDenied("Hanya Ketua Tim unit ini yang dapat mengatur tanggal target.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tuliskan alasan perubahan atau konfirmasi tanggal."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Alasan paling banyak {REASON_MAX} karakter."})
    taken = ValidationError({"due_date": "Langkah aksi ini sudah punya target bertanggal "
                                         f"{formats.date_format(due_date, 'j F Y')}. Pilih tanggal lain, atau ubah "
                                         "target yang sudah ada itu."})
    with transaction.atomic():
        row = Target.objects.select_for_update().get(pk=target.pk)
        old_date, old_warning = row.due_date, row.warning
        if Target.objects.filter(step_id=row.step_id, due_date=due_date).exclude(pk=row.pk).exists():
            raise taken
        row.due_date, row.year, row.semester, row.warning = due_date, due_date.year, semester_of(due_date), ""
        row.date_confirmed_at, row.date_confirmed_by = timezone.now(), user
        row.full_clean(exclude=["step"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                row.save(update_fields=["due_date", "year", "semester", "warning", "date_confirmed_at",
                                        "date_confirmed_by"])
        except IntegrityError:      # another target of the step took the date in the meantime
            raise taken from None
        changed = old_date != due_date
        audit_record(actor=user, action="target.due_date_set" if changed else "target.due_date_confirm",
                     unit_id=plan.unit_id, obj=row, ip=ip,
                     summary=(f"Jatuh tempo {old_date.isoformat() if old_date else 'belum ada'} → "
                              f"{due_date.isoformat()}: {reason}" if changed
                              else f"Jatuh tempo {due_date.isoformat()} dikonfirmasi: {reason}"),
                     data={"old": old_date.isoformat() if old_date else None, "new": due_date.isoformat(),
                           "reason": reason, "old_warning": old_warning, "plan_year": plan.year})
        if changed:
            transaction.on_commit(lambda: target_due_date_changed.send(
                sender=Target, target=row, old_date=old_date, new_date=due_date, user=user, reason=reason))
    return row
