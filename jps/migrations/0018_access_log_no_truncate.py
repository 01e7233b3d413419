"""On PostgreSQL, refuse TRUNCATE on the access log: the row trigger of 0003 never sees it.

A statement-level trigger, so even a role holding the TRUNCATE privilege (the owner, or one
granted it by mistake) cannot empty the log in one statement; the application role has no such
privilege at all (jps/db_roles.py) and, owning nothing, cannot disable either trigger.
"""

from django.db import migrations

FORWARD = """
CREATE TRIGGER jps_problemview_no_truncate
    BEFORE TRUNCATE ON jps_problemview
    FOR EACH STATEMENT EXECUTE FUNCTION jps_refuse_change();
"""
BACKWARD = "DROP TRIGGER IF EXISTS jps_problemview_no_truncate ON jps_problemview;"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("jps", "0017_text_limits")]
    operations = [migrations.RunPython(forward, backward)]
