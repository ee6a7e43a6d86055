import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights


def test_recompute_command_prints_a_json_summary_and_is_idempotent(rep):
    rep.employee.hire_date = dt.date(2024, 1, 1)
    rep.employee.save()
    revenue_only_weights(rep.employee)
    record_revenue(rep.employee, Month(2025, 1), Month(2025, 2), [0.5, 0.9])
    out = StringIO()
    call_command("recompute_scorecards", "2025-01", "2025-02", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 2
    out = StringIO()
    call_command("recompute_scorecards", "2025-01", "2025-02", "--json", stdout=out)
    assert json.loads(out.getvalue())["unchanged"] == 2


@pytest.mark.parametrize("args", [["2025-13"], ["2025-06", "2025-01"]])
def test_recompute_command_explains_bad_months(db, args):
    with pytest.raises(CommandError):
        call_command("recompute_scorecards", *args)
