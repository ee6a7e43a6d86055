from perfloop.audit.models import AuditEvent
from perfloop.org.services import org_unit_create


def test_units_get_a_materialised_path_under_their_parent(hrbp):
    company = org_unit_create(actor=hrbp, code="ACME", name="某制造企业")
    team = org_unit_create(actor=hrbp, code="ACME-S1", name="销售一组", parent=company)
    assert company.path == f"/{company.pk}/"
    assert team.path == f"/{company.pk}/{team.pk}/"
    assert AuditEvent.objects.filter(action="org_unit.create", actor=hrbp).count() == 2
