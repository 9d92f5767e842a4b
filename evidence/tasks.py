from celery import shared_task


@shared_task(name="evidence.tasks.build_bundle", acks_late=True, ignore_result=True)
def build_bundle(bundle_id: int) -> bool:
    """Build one Berkas untuk TPI. Idempotent: the service claims the queued bundle, a second delivery finds it
    claimed and does nothing."""
    from .services import bundle_build

    return bundle_build(bundle_id=bundle_id)
