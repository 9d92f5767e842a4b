"""The unit a management command names (`--unit "NAME"`, `--create-unit`), shared by import_plan and the LKE
commands: found by its name whatever the case and spacing, created on request, else a refusal that lists the
units the portal knows."""
from django.core.management.base import CommandError

from actionplan.models import Unit
from actionplan.services import unit_create


def unit_by_name(name: str, *, create: bool) -> tuple[Unit, bool]:
    """(unit, created)."""
    name = " ".join(name.split())
    unit = Unit.objects.filter(name__iexact=name).first()
    if unit is not None:
        return unit, False
    if create:
        return unit_create(name=name), True
    known = list(Unit.objects.order_by("name").values_list("name", flat=True))
    listing = "\n".join(f"  - {n}" for n in known) or "  (belum ada unit kerja)"
    raise CommandError(f"Unit kerja '{name}' tidak ditemukan. Unit kerja yang dikenal:\n{listing}\n"
                       "Gunakan --create-unit untuk membuatnya.")
