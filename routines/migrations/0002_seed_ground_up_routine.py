from django.db import migrations


def seed(apps, schema_editor):
    from routines.seed import seed_ground_up_routine

    seed_ground_up_routine(apps)


class Migration(migrations.Migration):
    dependencies = [("routines", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
