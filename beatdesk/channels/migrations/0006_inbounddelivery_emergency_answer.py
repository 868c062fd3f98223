from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_weibo"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbounddelivery",
            name="emergency_answer",
            field=models.TextField(blank=True),
        ),
    ]
