from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from perfloop.core.fields import MonthField
from perfloop.core.months import Month
from perfloop.org.models import WageRecord
from perfloop.org.tests.factories import EmployeeFactory


@pytest.mark.django_db
def test_a_month_round_trips_through_the_database_and_filters():
    employee = EmployeeFactory()
    WageRecord.objects.create(employee=employee, month=Month(2025, 3), amount=Decimal("9000.00"))
    WageRecord.objects.create(employee=employee, month="2025-04", amount=Decimal("9100.00"))
    months = list(WageRecord.objects.order_by("month").values_list("month", flat=True))
    assert months == [Month(2025, 3), Month(2025, 4)]
    assert WageRecord.objects.filter(month__gte=Month(2025, 4)).get().amount == Decimal("9100.00")


def test_bad_values_are_validation_errors():
    with pytest.raises(ValidationError):
        MonthField().to_python("2025-13")
    assert MonthField().get_prep_value(Month(2025, 3)) == 202503
    assert MonthField().get_prep_value(None) is None
