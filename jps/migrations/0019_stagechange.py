"""Stage changes as rows (jps.models.stages.StageChange), backfilled from the problems' history.

The backfill is two INSERT ... SELECT statements, run in the database (no row crosses into
Python, whatever the size of the history):

1. One row per *run* of a problem's history rows in the same stage: the run's first row is
   when the problem entered that stage (by whom, and the history's change reason, which
   simple-history cut to 100 characters: "Start analysis: ..."), and the previous run's
   first row is when it entered the stage it left. Edits within a stage repeat the stage
   and are skipped, exactly as the "median days in stage" figure read the history until now,
   so the figure gives the same answers from the new rows.
2. A row from the problem table itself (``stage``, ``stage_changed_at``) for every problem
   whose latest row from (1) does not name its current stage: a problem with no history
   (loaded in bulk), or whose stage was changed by a bulk UPDATE that wrote no history.

District and force are the problem's current ones (see the model's docstring).
"""


import django.db.models.deletion
import django.utils.timezone
import jps.models.fields
from django.conf import settings
from django.db import migrations, models


FROM_HISTORY = """
INSERT INTO jps_stagechange (problem_id, from_stage, to_stage, from_entered_at, by_id, reason, at, district_id, force_id)
WITH changes AS (
    SELECT id, stage, history_date, history_id, history_user_id, history_change_reason,
           LAG(stage) OVER (PARTITION BY id ORDER BY history_date, history_id) AS previous_stage
    FROM jps_historicalproblem
),
runs AS (
    SELECT id, stage, previous_stage, history_date, history_id, history_user_id, history_change_reason,
           LAG(history_date) OVER (PARTITION BY id ORDER BY history_date, history_id) AS previous_entered
    FROM changes
    WHERE previous_stage IS NULL OR previous_stage <> stage
)
SELECT r.id, COALESCE(r.previous_stage, ''), r.stage, r.previous_entered, r.history_user_id,
       COALESCE(r.history_change_reason, ''), r.history_date, p.district_id, p.force_id
FROM runs r JOIN jps_problem p ON p.id = r.id
ORDER BY r.history_date, r.history_id
"""

FROM_PROBLEMS = """
INSERT INTO jps_stagechange (problem_id, from_stage, to_stage, from_entered_at, by_id, reason, at, district_id, force_id)
WITH ranked AS (
    SELECT problem_id, to_stage, at,
           ROW_NUMBER() OVER (PARTITION BY problem_id ORDER BY at DESC, id DESC) AS position
    FROM jps_stagechange
)
SELECT p.id, COALESCE(l.to_stage, ''), p.stage, l.at, NULL, '', p.stage_changed_at, p.district_id, p.force_id
FROM jps_problem p LEFT JOIN ranked l ON l.problem_id = p.id AND l.position = 1
WHERE l.problem_id IS NULL OR l.to_stage <> p.stage
ORDER BY p.stage_changed_at, p.id
"""


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(FROM_HISTORY)
    schema_editor.execute(FROM_PROBLEMS)


class Migration(migrations.Migration):

    dependencies = [
        ('jps', '0018_access_log_no_truncate'),
    ]

    operations = [
        migrations.CreateModel(
            name='StageChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_stage', models.CharField(blank=True, choices=[('scanning', 'Scanning'), ('analysis', 'Analysis'), ('response', 'Response'), ('assessment', 'Assessment'), ('closed', 'Closed'), ('closed_no_action', 'Closed without action')], help_text='Empty when logged.', max_length=20)),
                ('to_stage', models.CharField(choices=[('scanning', 'Scanning'), ('analysis', 'Analysis'), ('response', 'Response'), ('assessment', 'Assessment'), ('closed', 'Closed'), ('closed_no_action', 'Closed without action')], max_length=20)),
                ('from_entered_at', models.DateTimeField(blank=True, help_text='When the problem entered from_stage.', null=True)),
                ('reason', jps.models.fields.BoundedTextField(blank=True, max_length=2000)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='jps.district')),
                ('force', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='jps.force')),
                ('problem', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='stage_changes', to='jps.problem')),
            ],
            options={
                'ordering': ['at', 'id'],
                'indexes': [models.Index(fields=['problem', 'at'], name='stagechange_problem_at'), models.Index(fields=['to_stage', 'at'], name='stagechange_to_at'), models.Index(fields=['district', 'to_stage', 'at'], name='stagechange_district_to_at'), models.Index(fields=['force', 'to_stage', 'at'], name='stagechange_force_to_at')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
