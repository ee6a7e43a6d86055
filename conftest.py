"""The small organisation every test can use, with named personas.

    公司 Company
    └── 销售部 Sales department          ← hrbp covers it, executive covers the company
        ├── 华东组 Team East  (head: manager)  rep, mentor
        └── 华南组 Team South (head: other_manager)  other_team_rep

Personas never change meaning: `rep` may see only themself; `other_team_rep`
is the person nobody but HR and their own manager may see.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, settings

# Properties are about values, not speed: on a busy 2-core CI machine one example of a Polars-backed
# parser can exceed Hypothesis's 200 ms deadline and fail a correct test. Speed lives in benchmarks/.
settings.register_profile(
    "perfloop", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("perfloop")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("django"):
        return  # pure-engine runs with `-p no:django`
    from django.conf import settings

    # argon2 costs ~50 ms a hash by design; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@dataclass
class Organisation:
    company: object
    sales: object
    team_east: object
    team_south: object
    hr_unit: object


@pytest.fixture
def org(db):
    from perfloop.org.tests.factories import OrgUnitFactory

    company = OrgUnitFactory(code="CO", name="演示制造有限公司", name_en="Demo Manufacturing")
    sales = OrgUnitFactory(code="SALES", name="销售部", name_en="Sales", parent=company)
    east = OrgUnitFactory(code="EAST", name="华东组", name_en="Team East", parent=sales)
    south = OrgUnitFactory(code="SOUTH", name="华南组", name_en="Team South", parent=sales)
    hr_unit = OrgUnitFactory(code="HR", name="人力资源部", name_en="HR", parent=company)
    return Organisation(company, sales, east, south, hr_unit)


def _person(org_unit, username, role, *, name, scope_unit=None, employee=True):
    from perfloop.accounts.tests.factories import UserFactory
    from perfloop.org.tests.factories import EmployeeFactory

    user = UserFactory(username=username, role=role, scope_unit=scope_unit)
    if employee:
        EmployeeFactory(org_unit=org_unit, user=user, name=name, email=f"{username}@example.com")
    return user


@pytest.fixture
def manager(org):
    user = _person(org.team_east, "manager", "manager", name="王经理")
    org.team_east.head = user.employee
    org.team_east.save()
    return user


@pytest.fixture
def other_manager(org):
    user = _person(org.team_south, "other_manager", "manager", name="赵经理")
    org.team_south.head = user.employee
    org.team_south.save()
    return user


@pytest.fixture
def rep(org, manager):
    user = _person(org.team_east, "rep", "rep", name="李明")
    user.employee.manager = manager.employee
    user.employee.save()
    return user


@pytest.fixture
def other_team_rep(org, other_manager):
    user = _person(org.team_south, "other_team_rep", "rep", name="陈静")
    user.employee.manager = other_manager.employee
    user.employee.save()
    return user


@pytest.fixture
def mentor(org):
    return _person(org.team_east, "mentor", "mentor", name="张导师")


@pytest.fixture
def hrbp(org):
    return _person(org.hr_unit, "hrbp", "hrbp", name="刘人事", scope_unit=org.sales)


@pytest.fixture
def hr_director(org):
    """HR of the whole organisation (no scope unit): the company-wide actions — the close, alert rules,
    webhooks, recomputing everyone's scorecards — are theirs. Not in ``everyone``: they would be told of
    every alert."""
    return _person(org.hr_unit, "hr_director", "hrbp", name="郑总监")


@pytest.fixture
def legal(org):
    return _person(org.hr_unit, "legal", "legal", name="周法务")


@pytest.fixture
def recruiter(org):
    return _person(org.hr_unit, "recruiter", "recruiter", name="吴招聘")


@pytest.fixture
def executive(org):
    return _person(org.company, "executive", "executive", name="孙总", scope_unit=org.company)


@pytest.fixture
def sysadmin(org):
    return _person(org.company, "sysadmin", "sysadmin", name="admin", employee=False)


PERSONAS = [
    "rep",
    "other_team_rep",
    "manager",
    "mentor",
    "hrbp",
    "legal",
    "recruiter",
    "executive",
    "sysadmin",
]


@pytest.fixture
def everyone(
    rep, other_team_rep, manager, other_manager, mentor, hrbp, legal, recruiter, executive, sysadmin
):
    """Every persona at once, by name."""
    return {
        "rep": rep,
        "other_team_rep": other_team_rep,
        "manager": manager,
        "other_manager": other_manager,
        "mentor": mentor,
        "hrbp": hrbp,
        "legal": legal,
        "recruiter": recruiter,
        "executive": executive,
        "sysadmin": sysadmin,
    }


@pytest.fixture(autouse=True)
def _default_language(request):
    """Every test starts in the product's default language (简体中文), whatever the test before it
    activated: a message a test reads must not depend on which tests ran first in the same worker."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield  # pure-engine runs with `-p no:django`
        return
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


# ---------------------------------------------------------------- real processes


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own for the child processes (an SQLite file, or a PostgreSQL database)."""
    env = {**os.environ, "PERFLOOP_FAST_PASSWORD_HASHER": "true"}
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env["PERFLOOP_VAR_DIR"] = str(tmp_path)
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    parts = urlsplit(url)
    name = f"perfloop_scratch_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    env["PERFLOOP_CONN_MAX_AGE"] = "0"
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
