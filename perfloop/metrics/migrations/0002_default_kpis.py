"""The product's default KPI catalogue (product.md §2), written once per database.

A snapshot on purpose: later edits of the catalogue module must not rewrite
what an existing company already has.
"""

from decimal import Decimal

from django.db import migrations

KPIS = [
    # code, zh, en, unit, direction, aggregation, default target, order
    ("revenue", "月度销售额", "Monthly revenue", "cny", "higher", "sum", "80000", 1),
    ("new_customers", "新客户开发数", "New customers", "count", "higher", "sum", "3", 2),
    ("conversion_rate", "客户转化率", "Conversion rate", "ratio", "higher", "ratio", "0.25", 3),
    ("collection_rate", "回款率", "Collection rate", "ratio", "higher", "ratio", "0.90", 4),
    ("follow_ups", "客户跟进次数", "Follow-ups", "count", "higher", "sum", "40", 5),
    ("feedback_score", "客户反馈评分", "Customer feedback score", "score", "higher", "mean", "4.2", 6),
    ("churn_rate", "客户流失率", "Customer churn rate", "ratio", "lower", "ratio", "0.15", 7),
    ("training_participation", "培训参与率", "Training participation", "ratio", "higher", "ratio", "0.90", 8),
]


def add_kpis(apps, schema_editor):
    Kpi = apps.get_model("metrics", "Kpi")
    for code, zh, en, unit, direction, aggregation, target, order in KPIS:
        Kpi.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
                "default_target": Decimal(target),
                "display_order": order,
            },
        )


def remove_kpis(apps, schema_editor):
    apps.get_model("metrics", "Kpi").objects.filter(code__in=[row[0] for row in KPIS]).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(add_kpis, remove_kpis)]
