"""On PostgreSQL, refuse UPDATE and DELETE on the access log at the database itself."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jps_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER jps_problemview_append_only
    BEFORE UPDATE OR DELETE ON jps_problemview
    FOR EACH ROW EXECUTE FUNCTION jps_refuse_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS jps_problemview_append_only ON jps_problemview;
DROP FUNCTION IF EXISTS jps_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("jps", "0002_access_log")]
    operations = [migrations.RunPython(forward, backward)]
