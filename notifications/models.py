"""Notifications: one message to one person, in the portal and (unless they turned it off) by e-mail.

Two families share the table and the delivery machinery:

* **deadline reminders** (`notifications/reminders.py`) are about a target's due date; their unique key is
  (target, due_date, recipient, kind), which makes the daily sweep idempotent;
* **workflow events** (`notifications/services.py`: a revision uploaded, a review decision, a report submitted,
  returned or signed, a due date changed) carry an `event_key` naming the event (e.g. ``revision:42``); their
  unique key is (kind, event_key, recipient), so the same event delivered twice notifies each person once.

The table keeps its historical name (``monev_notification``): the model moved here from `monev/` without
copying a row.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind:
    """Notification kinds. Before-due reminders are ``before_<days>`` (one kind per configured threshold,
    ``REMINDER_DAYS_BEFORE``), then the overdue notice and the escalation, then the workflow events. Not a choices
    field: the thresholds come from settings, and a migration must not depend on them."""

    BEFORE_PREFIX = "before_"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    # Workflow events
    REVISION_UPLOADED = "revision_uploaded"
    REVIEW_DECISION = "review_decision"
    REPORT_SUBMITTED = "report_submitted"
    REPORT_RETURNED = "report_returned"
    REPORT_SIGNED = "report_signed"
    DUE_DATE_CHANGED = "due_date_changed"

    WORKFLOW_LABELS = {
        REVISION_UPLOADED: _("Bukti fisik diunggah"),
        REVIEW_DECISION: _("Hasil review"),
        REPORT_SUBMITTED: _("Laporan diajukan"),
        REPORT_RETURNED: _("Laporan dikembalikan"),
        REPORT_SIGNED: _("Laporan ditandatangani"),
        DUE_DATE_CHANGED: _("Jatuh tempo diubah"),
    }

    @classmethod
    def before(cls, days: int) -> str:
        return f"{cls.BEFORE_PREFIX}{days}"

    @classmethod
    def days_before(cls, kind: str) -> int | None:
        """7 for "before_7"; None for the kinds after the due date."""
        if kind.startswith(cls.BEFORE_PREFIX):
            return int(kind[len(cls.BEFORE_PREFIX):])
        return None

    @classmethod
    def is_workflow(cls, kind: str) -> bool:
        return kind in cls.WORKFLOW_LABELS

    @classmethod
    def preference(cls, kind: str) -> str:
        """The kind a person switches e-mail off for: every H-x reminder is one choice ("reminder")."""
        return "reminder" if kind.startswith(cls.BEFORE_PREFIX) else kind

    @classmethod
    def preference_choices(cls) -> list[tuple[str, str]]:
        """What the profile page offers, in the order a person meets them."""
        return [("reminder", _("Pengingat jatuh tempo (H-7, H-3, H-1)")),
                (cls.OVERDUE, _("Target terlambat")),
                (cls.ESCALATION, _("Eskalasi ke Kepala Dinas")),
                *cls.WORKFLOW_LABELS.items()]


class RecipientRole(models.TextChoices):
    """Why this person receives the notification (a responsible person who is also Ketua Tim is `responsible`)."""

    RESPONSIBLE = "responsible", _("Penanggung jawab")
    KETUA = "ketua", _("Ketua Tim")
    KEPALA = "kepala", _("Kepala Dinas")
    UPLOADER = "uploader", _("Pengunggah")
    TEAM = "team", _("Anggota tim")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    RETRYING = "retrying", _("Gagal, akan dicoba lagi")
    FAILED = "failed", _("Gagal")
    NO_EMAIL = "no_email", _("Tanpa alamat e-mail")
    OPTED_OUT = "opted_out", _("E-mail dimatikan penerima")


class Notification(models.Model):
    # No separate indexes on the two foreign keys: the unique key starts with target and the inbox index with
    # recipient, and every index costs time when the sweep inserts tens of thousands of rows.
    target = models.ForeignKey("actionplan.Target", on_delete=models.CASCADE, related_name="notifications",
                               db_index=False, null=True, blank=True, verbose_name=_("target"))
    # The due date a reminder was about: a changed due date is a new key, so it gets its own reminders.
    # Empty for workflow events.
    due_date = models.DateField(_("jatuh tempo"), null=True, blank=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  db_index=False, verbose_name=_("penerima"))
    kind = models.CharField(_("jenis"), max_length=20)
    # Workflow events: which event this is ("revision:42", "report:7:returned:3"); empty for reminders.
    event_key = models.CharField(_("kunci peristiwa"), max_length=80, blank=True, default="")
    message = models.CharField(_("pesan"), max_length=500, blank=True, default="")
    note = models.TextField(_("catatan"), blank=True, default="")
    link_url = models.CharField(_("tautan"), max_length=300, blank=True, default="")
    recipient_role = models.CharField(_("sebagai"), max_length=12, choices=RecipientRole.choices)
    # The day the sweep ran for (its `today`), or the day of the event: the mail speaks of "3 days left" as of it.
    notice_date = models.DateField(_("tanggal pengingat"))
    # Set on insert by the run that created the row; a conflicting insert leaves the old value, so a run
    # finds exactly the rows it created with one query.
    run_id = models.UUIDField(_("kode proses pembuatan"), db_index=True)
    created_at = models.DateTimeField(_("dibuat"))
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    email_status = models.CharField(_("status e-mail"), max_length=10, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("percobaan kirim"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail terkirim"), null=True, blank=True)
    # Last claim or result (empty until the first attempt: then created_at counts); finds stale claims.
    email_updated_at = models.DateTimeField(_("status e-mail diperbarui"), null=True, blank=True)
    email_error = models.TextField(_("galat terakhir"), blank=True)

    class Meta:
        db_table = "monev_notification"
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Reminders (workflow events have no due date, and NULLs never collide).
            models.UniqueConstraint(fields=["target", "due_date", "recipient", "kind"], name="unique_notification"),
            models.UniqueConstraint(fields=["kind", "event_key", "recipient"], condition=~models.Q(event_key=""),
                                    name="unique_notification_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # Only mails not sent yet: what the daily sweep re-queues and what a claim looks at.
            models.Index(fields=["email_status"], condition=models.Q(email_sent_at__isnull=True),
                         name="notification_email_unsent"),
        ]

    def __str__(self):
        return f"{self.kind_label} — {self.recipient} — {self.target or self.event_key}"

    @property
    def days_before(self) -> int | None:
        return Kind.days_before(self.kind)

    @property
    def is_workflow(self) -> bool:
        return Kind.is_workflow(self.kind)

    @property
    def kind_label(self) -> str:
        days = self.days_before
        if days is not None:
            return f"H-{days}"
        if self.is_workflow:
            return str(Kind.WORKFLOW_LABELS[self.kind])
        return str(_("Terlambat")) if self.kind == Kind.OVERDUE else str(_("Eskalasi"))

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailOptOut(models.Model):
    """A person who does not want e-mail for one kind of notification (`Kind.preference`); the notification in
    the portal stays. No row: e-mail on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs",
                             verbose_name=_("pengguna"))
    kind = models.CharField(_("jenis"), max_length=20)

    class Meta:
        verbose_name = _("e-mail yang dimatikan")
        verbose_name_plural = _("e-mail yang dimatikan")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_email_opt_out")]

    def __str__(self):
        return f"{self.user} — {self.kind}"
