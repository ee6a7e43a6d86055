"""The product's default alert rules (product.md §3), written once per database.

A warning at 3 consecutive months not met, and "long-term underperformance" at 6 — the policy
definition 连续6个月未完成目标. Both follow the scoring policy's met threshold (threshold empty).
"""

from django.db import migrations

RULES = [
    # code, zh, en, severity, months, escalate after days
    ("below_target_3", "连续3个月未完成目标", "3 consecutive months below target", "warning", 3, 7),
    ("below_target_6", "连续6个月未完成目标（长期未达标）", "6 consecutive months below target (long-term)", "long_term", 6, 3),
]


def add_rules(apps, schema_editor):
    AlertRule = apps.get_model("monitoring", "AlertRule")
    for code, zh, en, severity, months, days in RULES:
        AlertRule.objects.get_or_create(
            code=code,
            defaults={
                "name": zh,
                "name_en": en,
                "kind": "consecutive_below",
                "severity": severity,
                "months": months,
                "escalate_after_days": days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
