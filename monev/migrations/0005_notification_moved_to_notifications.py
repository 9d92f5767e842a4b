"""Notification moved to the notifications app; its table stays (see notifications 0001)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('monev', '0004_issue14_report_returns'),
        ('notifications', '0001_move_notification_from_monev'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='Notification')],
        ),
    ]
