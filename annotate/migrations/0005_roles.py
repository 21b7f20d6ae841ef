from django.db import migrations

ROLES = {
    # Reviewers annotate the articles assigned to them.
    "Reviewer": [],
    # Leads assign work, see everyone's spans, adjudicate and reopen.
    "Lead": ["add_assignment", "change_assignment", "delete_assignment", "view_assignment", "view_annotation"],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            model = codename.split("_", 1)[1]
            content_type, _ = ContentType.objects.get_or_create(app_label="annotate", model=model)
            permission, _ = Permission.objects.get_or_create(
                codename=codename, content_type=content_type, defaults={"name": codename.replace("_", " ")}
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("annotate", "0004_assignments"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
