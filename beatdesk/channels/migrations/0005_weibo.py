import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_more_channel_kinds"),
    ]

    operations = [
        migrations.CreateModel(
            name="PollCursor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stream", models.CharField(max_length=32)),
                ("since_id", models.CharField(blank=True, max_length=32)),
                ("resume_max_id", models.CharField(blank=True, max_length=32)),
                ("walk_top_id", models.CharField(blank=True, max_length=32)),
                ("polled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="poll_cursors",
                        to="channels.account",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "stream"), name="unique_poll_cursor"
                    )
                ],
            },
        ),
    ]
