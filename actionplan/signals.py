"""Signals other apps listen to. Sent by actionplan.services after the transaction commits."""
from django.dispatch import Signal

# A target's due date was set or corrected by a person. kwargs: target, old_date, new_date, user, reason.
target_due_date_changed = Signal()
