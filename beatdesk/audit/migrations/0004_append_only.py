from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from beatdesk.audit import protection


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protection.install(schema_editor.connection)


def remove(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protection.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_chain"),
    ]

    operations = [migrations.RunPython(install, remove)]
