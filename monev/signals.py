"""Signals of the report workflow, sent after the change has committed (notifications/apps.py listens).
They carry the report and who acted; no business logic runs by sending them."""
from django.dispatch import Signal

# kwargs: report, user, round_number (0 the first time, one more after every return)
report_submitted = Signal()
# kwargs: report, user, return_id, note
report_returned = Signal()
# kwargs: report, signer
report_signed = Signal()
