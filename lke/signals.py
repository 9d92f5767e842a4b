"""Signals through which the LKE reads facts owned by the apps built on it (monev imports lke for its dashboard card
and the report's LKE section, so lke does not import monev: tests/test_app_imports.py)."""
from django.dispatch import Signal

# Sent when the LKE suggestions are computed; each receiver returns the set of semesters (1, 2) of `plan` whose
# Monev report the Kepala Dinas signed (monev). kwargs: plan.
signed_semesters = Signal()
