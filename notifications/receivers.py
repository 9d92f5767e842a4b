"""Signal receivers (connected in apps.py). They only call a service."""
from django.db import transaction

from . import services


def on_target_due_date_changed(sender, *, target, old_date, new_date, user=None, reason="", **kwargs):
    """actionplan.signals.target_due_date_changed: tell the people responsible, once the change has committed
    (at once when no transaction is open)."""
    transaction.on_commit(lambda: services.due_date_changed_notify(
        target=target, old_date=old_date, new_date=new_date, user=user, reason=reason))


# The report workflow: monev sends these after its transaction committed.
def on_report_submitted(sender, *, report, user, submitted_at, **kwargs):
    services.report_submitted_notify(report=report, user=user, submitted_at=submitted_at)


def on_report_returned(sender, *, report, user, return_id, note, **kwargs):
    services.report_returned_notify(report=report, user=user, return_id=return_id, note=note)


def on_report_signed(sender, *, report, signer, **kwargs):
    services.report_signed_notify(report=report, signer=signer)


# The evidence workflow: evidence sends these after its transaction committed.
def on_revision_uploaded(sender, *, revision_id, number, target, uploader, **kwargs):
    services.revision_uploaded_notify(revision_id=revision_id, number=number, target=target, uploader=uploader)


def on_revision_reviewed(sender, *, decision_id, number, target, uploader_id, reviewer, accepted, note, **kwargs):
    services.review_decision_notify(decision_id=decision_id, number=number, target=target, uploader_id=uploader_id,
                                    reviewer=reviewer, accepted=accepted, note=note)
