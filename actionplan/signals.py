"""Signals of the action plan that other apps listen to (no business logic is run by sending them)."""
from django.dispatch import Signal

# Sent after a target's due date was changed in the portal and the change committed.
# kwargs: target, old_date, new_date, user, reason
target_due_date_changed = Signal()

# The apps built on this one add to the action plan's pages and imports through these, so that actionplan never
# imports them (the apps import one another in one direction only: tests/test_app_imports.py).

# Sent while the plan page is built; each receiver returns {indicator id: a short plain text}, shown under the
# indicator (several receivers' texts are joined). kwargs: plan. (lke: the LKE questions each indicator serves.)
plan_page_indicator_notes = Signal()

# Sent inside the plan import's transaction once the action steps exist and before the targets are made; a receiver
# that raises ValidationError rolls the whole import back. kwargs: plan, priorities (step id → the numbers of its
# PRIORITAS column). (programme: the links to the priority targets.)
plan_priorities_imported = Signal()
