"""`perfloop worker` runs, in a process of its own, what another process queued — from Redis (`rq`) or
from the database — and says so when there is nothing for a worker to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own on the machine's Redis, emptied per test

ENQUEUE = (
    "from perfloop.monitoring.tasks import monitoring_tick_task; print(monitoring_tick_task.enqueue().id)"
)
RESULT = (
    "import json; from perfloop.monitoring.tasks import monitoring_tick_task; "
    "result = monitoring_tick_task.get_result('TASK_ID'); "
    "print(json.dumps({'status': str(result.status), "
    "'value': result.return_value if result.is_finished else None}))"
)


def perfloop(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "perfloop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def result_of(env: dict[str, str], task_id: str) -> dict[str, object]:
    printed = perfloop(env, "shell", "-c", RESULT.replace("TASK_ID", task_id))
    return json.loads(printed.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["rq", "database"])
def test_the_worker_runs_what_another_process_queued(scratch_database, backend):
    env = {**scratch_database, "PERFLOOP_TASKS_BACKEND": backend, "PERFLOOP_REDIS_URL": REDIS_URL}
    redis.Redis.from_url(REDIS_URL).flushdb()
    perfloop(env, "migrate", "--verbosity", "0")

    task_id = perfloop(env, "shell", "-c", ENQUEUE).strip().splitlines()[-1]
    assert result_of(env, task_id)["status"] == "READY"  # queued, nobody has run it
    if backend == "rq":
        assert redis.Redis.from_url(REDIS_URL).llen("rq:queue:default") == 1

    perfloop(env, "worker", "--burst")

    done = result_of(env, task_id)
    assert done["status"] == "SUCCESSFUL"
    assert done["value"] == {
        "escalation": {"escalated": 0, "notifications_sent": 0, "deliveries_queued": 0},
        "deliveries": {"sent": 0, "failed": 0, "retrying": 0},
    }
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_with_tasks_run_in_the_web_process_the_worker_says_there_is_nothing_to_do(settings):
    with pytest.raises(CommandError, match="nothing for a worker to do"):
        call_command("worker", "--burst")
