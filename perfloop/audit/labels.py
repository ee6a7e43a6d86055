"""What recorded actions mean, in words a person reads in their own language.

The audit log keys on stable codes (``person_page.view``); a person reading who used their data, or an HR
officer reading the log, should not have to decode them. Codes without a label here are shown as they are.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # looking at a person's data
    "person_page.view": _("opened the person's performance page"),
    "person_page.export": _("exported the person's performance page"),
    "person.view": _("opened the person's record"),
    "employee.view": _("read the person's record through the API"),
    "employee_list.view": _("listed people through the API"),
    "team.view": _("opened the team's page"),
    "team_dashboard.view": _("opened the team dashboard"),
    "team_dashboard.export": _("exported the team dashboard"),
    "scorecard_list.view": _("read scorecards through the API"),
    "fact_list.view": _("read KPI values through the API"),
    "fact_rows.view": _("read the file rows behind a KPI value"),
    "needs_attention.view": _("read the needs-attention list"),
    "alert.view": _("read an alert"),
    "alert_list.view": _("read alerts"),
    "goal.view": _("read a goal"),
    "goal_list.view": _("read goals"),
    "goal_grid.view": _("opened the goals grid"),
    "goal_record.view": _("opened the goal record"),
    "goal.export": _("exported goals"),
    "plan.view": _("read a target plan"),
    "audit_log.read": _("read the audit log about the person"),
    "audit_log.export": _("exported the audit log about the person"),
    "personal_data.export": _("exported the person's copy of their data"),
    "quarantine.view": _("read an import's problem rows"),
    # changing it
    "employee.update": _("changed the employee record"),
    "monthly_fact.record": _("recorded a KPI value"),
    "goal.create": _("set a goal"),
    "goal.publish": _("published a goal"),
    "goal.confirm": _("confirmed a goal"),
    "goal.dispute": _("disputed a goal"),
    "goal.answer": _("answered a dispute"),
    "goal.revise": _("revised a goal"),
    "goal.import": _("imported goals"),
    "goal.record_agreed_bulk": _("recorded agreed goals"),
    "alert.acknowledge": _("acknowledged an alert"),
    "alert.resolve": _("resolved an alert"),
    "alert.escalate": _("escalated an alert to HR"),
    "alert.restate": _("moved an alert after restated data"),
    "alert.reopen": _("reopened an alert after restated data"),
    "quarantined_row.fix": _("corrected an imported row"),
    # the account
    "user.create": _("created the account"),
    "user.invitation_accept": _("accepted the invitation"),
    "invitation.renew": _("renewed the invitation"),
    "user.sign_in": _("signed in"),
    "user.sign_in_failed": _("wrong password"),
    "user.sign_in_locked_out": _("sign-in paused after wrong passwords"),
    "user.lockout_clear": _("sign-in pause lifted"),
    "user.second_factor_enable": _("second factor turned on"),
    "user.second_factor_disable": _("second factor turned off"),
    "user.second_factor_failed": _("wrong second-factor code"),
    "user.second_factor_recovery_renew": _("recovery codes renewed"),
    "user.second_factor_reset": _("second factor removed by the administrator"),
    "api_token.create": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
}


def action_label(code: str) -> str:
    """The action in words, or its code when it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
