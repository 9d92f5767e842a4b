"""The Celery app. Periodic jobs are declared here, in one place."""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zi_portal.settings")

app = Celery("zi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are in CELERY_TIMEZONE (Asia/Jakarta).
app.conf.beat_schedule = {
    # Deadline reminders: H-7/H-3/H-1, overdue and escalation notices (notifications/reminders.py).
    "daily-reminders": {"task": "notifications.tasks.daily_reminders", "schedule": crontab(hour=7, minute=0)},
    # Report renders that never reached a worker (broker down when they were asked for) are queued again.
    "requeue-renders": {"task": "monev.tasks.requeue_renders", "schedule": crontab(minute="*/5")},
}
