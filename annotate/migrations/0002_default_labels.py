from django.db import migrations

DEFAULT_LABELS = [
    # slug, name, colour, shortcut, order, description
    ("fact", "Fact", "#2a9d8f", "F", 1, "A checkable statement of fact presented by the outlet."),
    ("quote", "Quote", "#3a6fd8", "Q", 2, "Words attributed to someone; name the speaker."),
    ("opinion", "Opinion", "#e09f3e", "O", 3, "The writer's judgement, evaluation or loaded framing."),
    (
        "unsupported_claim",
        "Unsupported claim",
        "#d62839",
        "U",
        4,
        "A claim presented as fact with no source or evidence given.",
    ),
]


def create_default_labels(apps, schema_editor):
    Label = apps.get_model("annotate", "Label")
    for slug, name, colour, shortcut, order, description in DEFAULT_LABELS:
        Label.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "colour": colour, "shortcut": shortcut, "order": order, "description": description},
        )


def remove_default_labels(apps, schema_editor):
    Label = apps.get_model("annotate", "Label")
    Label.objects.filter(slug__in=[row[0] for row in DEFAULT_LABELS], annotations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("annotate", "0001_initial")]
    operations = [migrations.RunPython(create_default_labels, remove_default_labels)]
