"""The demo company's sign-ins: an account for every role (HR twice: one part, the whole company), all with
one public demo password.

The password below is a documented, deliberately public secret (docs/demo.md): it exists so that anyone
can try every role of a freshly built demo. Never build the demo company into a database that holds real
people's data or that is reachable by people who should not sign in as its administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "perfloop-demo"  # noqa: S105 -- public by design, printed after every build and in docs/demo.md


@dataclass(frozen=True)
class DemoSignIn:
    """One persona of the demo: who signs in, as which role, and what that role shows."""

    role: str
    username: str
    sees: str


DEMO_SIGN_INS: tuple[DemoSignIn, ...] = (
    DemoSignIn("rep", "rep", "own goals, scorecards and reports only (a steady rep of 上海一组)"),
    DemoSignIn("manager", "manager", "head of 上海一组: every member's scorecards, alerts and plans"),
    DemoSignIn("mentor", "mentor", "a senior rep of 上海一组: own data and the reps they coach"),
    DemoSignIn("hrbp", "hrbp", "HR business partner for 销售部: every sales person, plans and cases"),
    DemoSignIn("hrbp", "hrd", "HR director, the whole company: monthly close, alert rules, audit log"),
    DemoSignIn("legal", "legal", "separation cases and their evidence dossiers, for review"),
    DemoSignIn("recruiter", "recruiter", "talent pool, requisitions, hiring pipeline; no scorecards"),
    DemoSignIn("executive", "executive", "company-wide dashboards, aggregates only"),
    DemoSignIn("sysadmin", "admin", "users, roles, integrations, settings; no performance data"),
)

OTHER_ACCOUNTS_NOTE = (
    "Every other employee signs in with their employee number in lower case (e.g. e0103) and the same "
    "password; the accounts of people who have left are deactivated."
)


def demo_sign_in(username: str) -> DemoSignIn:
    """The persona who signs in as ``username``."""
    for sign_in in DEMO_SIGN_INS:
        if sign_in.username == username:
            return sign_in
    raise KeyError(username)
