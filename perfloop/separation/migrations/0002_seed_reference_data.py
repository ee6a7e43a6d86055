"""Load the shipped reference seeds (perfloop/separation/data) so a fresh install can calculate.

Later corrections arrive through `perfloop import-law-reference`, which stores new versions.
"""

from django.db import migrations


def load_seeds(apps, schema_editor):
    from perfloop.separation.reference import seed_reference_set

    seeds = seed_reference_set()
    average = apps.get_model("separation", "CityAverageWage")
    minimum = apps.get_model("separation", "CityMinimumWage")
    city_rule = apps.get_model("separation", "CityWageRule")
    retirement = apps.get_model("separation", "RetirementAgeRule")

    def verification(is_verified):
        return "verified" if is_verified else "unverified"

    for row in seeds.average_wages:
        average.objects.get_or_create(
            city=row.city,
            year=row.year,
            version=1,
            defaults={
                "average_monthly_wage": row.average_monthly_wage,
                "published_on": row.published_on,
                "source_note": row.source_note,
                "verification": verification(row.is_verified),
            },
        )
    for row in seeds.minimum_wages:
        minimum.objects.get_or_create(
            city=row.city,
            effective_from=row.effective_from,
            version=1,
            defaults={
                "monthly_minimum": row.monthly_minimum,
                "source_note": row.source_note,
                "verification": verification(row.is_verified),
            },
        )
    for row in seeds.city_rules:
        city_rule.objects.get_or_create(
            city=row.city,
            version=1,
            defaults={
                "overtime_in_wage_base": row.overtime_in_wage_base,
                "pre_2008_rule": row.pre_2008_rule or "",
                "source_note": row.source_note,
                "verification": verification(row.is_verified),
            },
        )
    for rule in seeds.retirement_age_rules:
        retirement.objects.get_or_create(
            category=rule.category.value,
            version=1,
            defaults={
                "original_age_years": rule.original_age_years,
                "first_affected_birth_month": rule.first_affected_birth_month.as_int(),
                "months_per_step": rule.months_per_step,
                "maximum_delay_months": rule.maximum_delay_months,
                "source_note": rule.source_note,
                "verification": verification(rule.is_verified),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("separation", "0001_initial")]

    operations = [migrations.RunPython(load_seeds, migrations.RunPython.noop)]
