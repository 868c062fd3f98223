import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('channels', '0004_more_channel_kinds'),
        ('inbox', '0006_knowledge'),
        ('units', '0003_unit_address'),
    ]

    operations = [
        migrations.CreateModel(
            name='Jurisdiction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=100, unique=True, verbose_name='jurisdiction id')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.unit')),
            ],
            options={
                'verbose_name': 'Open311 jurisdiction',
                'verbose_name_plural': 'Open311 jurisdictions',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='ServiceRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(max_length=16, unique=True)),
                ('service_code', models.CharField(max_length=16)),
                ('requested_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('delivery', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='service_request', to='channels.inbounddelivery')),
                ('jurisdiction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='portal.jurisdiction')),
            ],
            options={
                'ordering': ['-requested_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Photo',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('content_type', models.CharField(max_length=16)),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('digest', models.CharField(max_length=64)),
                ('data', models.BinaryField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='portal_photos', to='channels.inbounddelivery')),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='portal_photos', to='inbox.message')),
            ],
            options={
                'ordering': ['delivery', 'position'],
                'constraints': [models.UniqueConstraint(fields=('delivery', 'position'), name='unique_photo_position')],
            },
        ),
    ]
