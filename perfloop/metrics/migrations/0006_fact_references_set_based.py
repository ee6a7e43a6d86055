"""A monthly fact's person and KPI are checked once per statement on PostgreSQL, not once per row.

A foreign key checks every inserted row on its own (one index probe and one row lock per reference), and a
million-row import writes tens of thousands of facts: the two per-row checks cost more than the COPY of the
facts itself. On PostgreSQL the two foreign keys become statement-level triggers that do the same work as
one join each — lock the referenced people and KPIs ``FOR KEY SHARE`` as a foreign key does, then refuse
the statement if any reference is missing — plus the other half of a foreign key: deleting a person or a
KPI that facts still refer to, or changing its id, is refused. SQLite keeps its foreign keys (its per-row
checks are cheap). See docs/decisions/0010-fact-references.md.
"""

import django.db.models.deletion
from django.db import migrations, models

FACT = "metrics_monthlyfact"
REFERENCES = (("employee_id", "org_employee", "employee"), ("kpi_id", "metrics_kpi", "kpi"))


def reference_check(column: str, parent: str) -> str:
    """Each id the statement's rows name once (a hash aggregate), locked as a foreign key locks it: a
    concurrent delete of one waits for this commit and is then refused by the parent's trigger, which sees
    these facts. Fewer locked rows than ids means some id does not exist."""
    return f"""
    SELECT array_agg({column}) INTO wanted FROM (SELECT {column} FROM new_facts GROUP BY 1) ids;
    SELECT count(*) INTO found_count
    FROM (SELECT 1 FROM {parent} p WHERE p.id = ANY (wanted) FOR KEY SHARE OF p) locked;
    IF found_count < coalesce(cardinality(wanted), 0) THEN
        SELECT w.id INTO missing FROM unnest(wanted) AS w (id)
        WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = w.id) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "{FACT}" violates its reference to "{parent}"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key ({column})=(%s) is not present.', missing);
    END IF;"""


CHECK_FACTS = f"""
CREATE FUNCTION {FACT}_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint[];
    found_count integer;
    missing bigint;
BEGIN{"".join(reference_check(column, parent) for column, parent, _name in REFERENCES)}
    RETURN NULL;
END $$;
CREATE TRIGGER {FACT}_references_insert AFTER INSERT ON {FACT}
    REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION {FACT}_references_check();
CREATE TRIGGER {FACT}_references_update AFTER UPDATE ON {FACT}
    REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION {FACT}_references_check();
"""


def parent_guard(column: str, parent: str, name: str) -> str:
    """Deleting a referenced row, or changing its id, is refused while facts refer to it."""
    return f"""
CREATE FUNCTION {FACT}_{name}_delete_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    SELECT o.id INTO kept FROM gone o WHERE EXISTS (SELECT 1 FROM {FACT} f WHERE f.{column} = o.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "{parent}" violates the reference from table "{FACT}"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "{FACT}".', kept);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {FACT}_{name}_delete AFTER DELETE ON {parent}
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {FACT}_{name}_delete_check();
CREATE FUNCTION {FACT}_{name}_rekey_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {FACT} f WHERE f.{column} = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "{parent}" violates the reference from table "{FACT}"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "{FACT}".', OLD.id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {FACT}_{name}_rekey BEFORE UPDATE OF id ON {parent}
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {FACT}_{name}_rekey_check();
"""


def drop_guards(name: str, parent: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {FACT}_{name}_delete ON {parent};
DROP TRIGGER IF EXISTS {FACT}_{name}_rekey ON {parent};
DROP FUNCTION IF EXISTS {FACT}_{name}_delete_check();
DROP FUNCTION IF EXISTS {FACT}_{name}_rekey_check();
"""


def to_statement_checks(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname IN ('employee_id', 'kpi_id')",
            [FACT],
        )
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f'ALTER TABLE {FACT} DROP CONSTRAINT "{name}"')
    schema_editor.execute(CHECK_FACTS, params=None)  # the %s are format()'s, not parameters
    for column, parent, name in REFERENCES:
        schema_editor.execute(parent_guard(column, parent, name), params=None)


def to_foreign_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""DROP TRIGGER IF EXISTS {FACT}_references_insert ON {FACT};
            DROP TRIGGER IF EXISTS {FACT}_references_update ON {FACT};
            DROP FUNCTION IF EXISTS {FACT}_references_check();"""
    )
    for _column, parent, name in REFERENCES:
        schema_editor.execute(drop_guards(name, parent))
    model = apps.get_model("metrics", "MonthlyFact")
    for field_name in ("employee", "kpi"):
        field = model._meta.get_field(field_name)
        schema_editor.execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0005_no_duplicate_indexes"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="monthlyfact",
            name="kpi",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="facts",
                to="metrics.kpi",
            ),
        ),
        migrations.RunPython(to_statement_checks, to_foreign_keys),
    ]
