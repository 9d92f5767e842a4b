"""Load the LKE of PermenPAN-RB 90/2021 from lke/data/ (the same loader as `manage.py lke_load`)."""
from django.db import migrations


def load(apps, schema_editor):
    from lke.loading import DEFAULT_FILE, load_file

    if DEFAULT_FILE.exists():
        load_file(DEFAULT_FILE, apps=apps)


class Migration(migrations.Migration):
    dependencies = [("lke", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
