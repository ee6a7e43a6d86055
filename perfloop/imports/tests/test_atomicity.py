"""A batch applies completely or not at all: an import process killed (SIGKILL) at its last step before the
commit leaves no facts, no claims, no quarantined rows and no batch marked applied — and the next import of
the same file goes through."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from perfloop.imports.tests.data import DEALS_CN_HEADER, csv_text

ROOT = Path(__file__).resolve().parents[3]


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
    name = f"perfloop_crash_{uuid.uuid4().hex[:10]}"
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


def child(env, *args, timeout=120):
    return subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "perfloop.imports.tests.crash_import", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout


def test_a_process_killed_before_the_commit_leaves_nothing_behind(scratch_database, tmp_path):
    env = scratch_database
    assert "READY" in child(env, "setup")
    rows = [[f"O{i}", "李明" if i % 2 else "陈静", f"客户{i % 7}", "赢单", f"2025-03-{i % 28 + 1:02d}", "1.5"]
            for i in range(400)]  # fmt: skip
    rows.append(["BAD", "李明", "坏客户", "赢单", "2025-03-01", "很多"])
    deals = tmp_path / "deals.csv"
    deals.write_bytes(csv_text([DEALS_CN_HEADER, *rows]).encode("gbk"))

    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "perfloop.imports.tests.crash_import", "import", str(deals)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()  # blocks until the child is inside the transaction, all rows written
        assert line.strip() == "HALFWAY", process.stderr.read()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    after_crash = json.loads(child(env, "check"))
    assert after_crash == {
        "facts": 0,
        "claims": 0,
        "quarantined": 0,
        "events": 0,
        "changes": 0,
        "batches": ["processing"],  # recorded as started, never as applied
    }

    assert json.loads(child(env, "import", str(deals), "--through"))["status"] == "applied"
    after_retry = json.loads(child(env, "check"))
    assert after_retry["facts"] == 3  # 陈静's three KPIs; 李明's month waits for his bad row to be fixed
    assert after_retry["quarantined"] == 1
    assert after_retry["batches"] == ["applied", "processing"]
