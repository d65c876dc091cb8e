"""
The two editing roles as groups, and the permissions that tell them apart.

"Content editor" changes wording, explanations, sources and review due dates. "Clinical
reviewer" may also change rules, red-flag criteria, urgency levels and question logic, and
signs content off as reviewed. The two custom permissions hang on the Cause content type so no
model change is needed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CUSTOM_PERMISSIONS = {
    "change_clinical_logic": "Can change clinical rules and urgency",
    "sign_off_content": "Can sign content off as reviewed",
}

CONTENT_MODELS = (
    "source",
    "topic",
    "questiongroup",
    "question",
    "choice",
    "redflag",
    "cause",
    "evidencerule",
)

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"

ROLE_PERMISSIONS = {
    EDITOR: [
        *(f"view_{model}" for model in (*CONTENT_MODELS, "safetycase")),
        "add_source",
        "change_source",
        "delete_source",
        "change_topic",
        "change_questiongroup",
        "change_question",
        "change_choice",
        "change_redflag",
        "change_cause",
        "view_release",
    ],
    REVIEWER: [
        *(
            f"{action}_{model}"
            for model in (*CONTENT_MODELS, "safetycase")
            for action in ("view", "add", "change", "delete")
        ),
        *CUSTOM_PERMISSIONS,
        "view_release",
        "publish_release",
    ],
}


def ensure_roles(apps, schema_editor=None):
    """Create (or complete) both groups. Safe to run again, e.g. after a test flush."""
    for app_config in apps.get_app_configs():
        # Permissions are normally made after all migrations; make them now so groups can use them.
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_module

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    cause_type, _ = ContentType.objects.get_or_create(app_label="triage", model="cause")
    for codename, name in CUSTOM_PERMISSIONS.items():
        Permission.objects.get_or_create(
            content_type=cause_type, codename=codename, defaults={"name": name}
        )
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="triage", codename__in=codenames
        )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=[EDITOR, REVIEWER]).delete()
    Permission.objects.filter(
        content_type__app_label="triage", codename__in=list(CUSTOM_PERMISSIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(ensure_roles, remove_roles)]
