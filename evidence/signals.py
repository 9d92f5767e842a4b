"""Signals of the evidence workflow, sent after the change has committed (notifications/apps.py listens, so
evidence does not import the notifications app). No business logic runs by sending them."""
from django.dispatch import Signal

# kwargs: revision_id, number, target, uploader
revision_uploaded = Signal()
# kwargs: decision_id, number, target, uploader_id, reviewer, accepted, note
revision_reviewed = Signal()
