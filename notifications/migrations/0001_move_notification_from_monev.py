"""The Notification model moves here from monev without touching its table (``monev_notification``): this
migration only records the model in this app's state; monev 0005 removes it from monev's state."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('monev', '0004_issue14_report_returns'),
        ('actionplan', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('due_date', models.DateField(verbose_name='jatuh tempo')),
                        ('kind', models.CharField(max_length=20, verbose_name='jenis')),
                        ('recipient_role', models.CharField(choices=[('responsible', 'Penanggung jawab'), ('ketua', 'Ketua Tim'), ('kepala', 'Kepala Dinas')], max_length=12, verbose_name='sebagai')),
                        ('notice_date', models.DateField(verbose_name='tanggal pengingat')),
                        ('run_id', models.UUIDField(db_index=True)),
                        ('created_at', models.DateTimeField(verbose_name='dibuat')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='dibaca')),
                        ('email_status', models.CharField(choices=[('pending', 'Menunggu dikirim'), ('sending', 'Sedang dikirim'), ('sent', 'Terkirim'), ('retrying', 'Gagal, akan dicoba lagi'), ('failed', 'Gagal'), ('no_email', 'Tanpa alamat e-mail')], default='pending', max_length=10, verbose_name='status e-mail')),
                        ('email_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='percobaan kirim')),
                        ('email_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mail terkirim')),
                        ('email_updated_at', models.DateTimeField(blank=True, null=True)),
                        ('email_error', models.TextField(blank=True, verbose_name='galat terakhir')),
                        ('recipient', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                        ('target', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='actionplan.target')),
                    ],
                    options={
                        'verbose_name': 'notifikasi',
                        'verbose_name_plural': 'notifikasi',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'monev_notification',
                        'indexes': [models.Index(fields=['recipient', '-created_at'], name='notification_inbox'), models.Index(condition=models.Q(('email_sent_at__isnull', True)), fields=['email_status'], name='notification_email_unsent')],
                        'constraints': [models.UniqueConstraint(fields=('target', 'due_date', 'recipient', 'kind'), name='unique_notification')],
                    },
                ),
            ],
        ),
    ]
