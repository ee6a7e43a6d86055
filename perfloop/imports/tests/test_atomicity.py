"""A batch applies completely or not at all: an import process killed (SIGKILL) at its last step before the
commit leaves no facts, no claims, no quarantined rows and no batch marked applied — and the next import of
the same file goes through."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from perfloop.imports.tests.data import DEALS_CN_HEADER, csv_text

ROOT = Path(__file__).resolve().parents[3]


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
