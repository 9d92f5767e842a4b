"""Celery tasks of the programme app (found by autodiscovery): the e-mail of an unsigned-Pakta reminder."""
from .reminders import send_pakta_notice

__all__ = ["send_pakta_notice"]
