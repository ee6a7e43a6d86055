"""PostgreSQL: store the Parquet blobs without TOAST compression (they are compressed already, and pglz on
tens of megabytes costs more than the import's whole write)."""

from django.db import migrations

COLUMNS = [("imports_batchevents", "data"), ("imports_batchevents", "first_wins"), ("imports_importfile", "content")]


def external_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STORAGE EXTERNAL')


class Migration(migrations.Migration):
    dependencies = [("imports", "0002_first_wins_in_batch_events")]

    operations = [migrations.RunPython(external_storage, migrations.RunPython.noop)]
