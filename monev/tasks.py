"""Celery tasks of the monev app. They take ids (or nothing), call one service, and can run twice safely."""
import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import rendering
from .models import Report

logger = logging.getLogger(__name__)


def render_enqueue(*, task, report_id: int) -> bool:
    """Hand a queued render to the broker. A broker that is down leaves the report "queued" (the page says so)
    and `renders_requeue`, every few minutes on beat, hands it over again once the broker is back."""
    from kombu.exceptions import OperationalError

    try:
        task.delay(report_id)
    except (OSError, OperationalError) as exc:
        logger.warning("render of report %s not queued now (%s); it is re-queued later.", report_id, exc)
        return False
    return True


def renders_requeue(*, older_than: datetime.timedelta) -> int:
    """Queue again every render left "queued" longer than `older_than` (the broker was down, or lost the
    message), and every render left "rendering" twice as long (its worker died and the message is gone).
    A second delivery is harmless: only one claims the render."""
    now = timezone.now()
    stale_rendering = Report.objects.filter(render_state=Report.RenderState.RENDERING,
                                            render_requested_at__lt=now - 2 * older_than)
    stale_rendering.update(render_state=Report.RenderState.QUEUED, render_claim="")
    ids = list(Report.objects.filter(render_state=Report.RenderState.QUEUED,
                                     render_requested_at__lt=now - older_than).values_list("pk", flat=True))
    return sum(render_enqueue(task=render_report, report_id=pk) for pk in ids)


@shared_task(bind=True, name="monev.tasks.render_report", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def render_report(self, report_id: int) -> None:
    """Render (and for an approved report, sign) one semester report. The service claims the queued request
    with this task's id: a second delivery does nothing, except the same message redelivered after its worker
    died mid-render (acks_late + reject_on_worker_lost), which takes the render over."""
    rendering.report_render(report_id=report_id, claim=self.request.id or "")


@shared_task(name="monev.tasks.requeue_renders")
def requeue_renders() -> int:
    """Beat job (every 5 minutes): renders that never reached a worker (the broker was down) are queued again."""
    return renders_requeue(older_than=datetime.timedelta(minutes=settings.RENDER_REQUEUE_MINUTES))
