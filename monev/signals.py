"""Signals of the report workflow, sent after the change has committed (notifications/apps.py listens).
They carry the report and who acted; no business logic runs by sending them."""
from django.dispatch import Signal

# kwargs: report, user, submitted_at (the submission's time: a resubmission after a return is a new event)
report_submitted = Signal()
# kwargs: report, user, return_id, note
report_returned = Signal()
# kwargs: report, signer
report_signed = Signal()
