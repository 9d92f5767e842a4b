"""Signals of the action plan that other apps listen to (no business logic is run by sending them)."""
from django.dispatch import Signal

# Sent after a target's due date was changed in the portal and the change committed.
# kwargs: target, old_date, new_date, user, reason
target_due_date_changed = Signal()
