"""Announcements: HR tells a part of the organisation (or all of it) something; everyone in it finds it in
their inbox, in their language, and on the announcements page until it expires or is withdrawn."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from perfloop.accounts.models import Announcement, Notification
from perfloop.accounts.selectors import announcement_list_for
from perfloop.accounts.services import AnnouncementError, announcement_publish, announcement_withdraw
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

PAGE = "/accounts/announcements/"


def titles_in_inbox(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind="announcement").values_list("title", flat=True)
    )


def test_hr_of_a_department_tells_its_people_each_in_their_language(everyone, hrbp, org):
    everyone["other_team_rep"].preferred_language = "en"
    everyone["other_team_rep"].save()
    announcement = announcement_publish(
        actor=hrbp,
        title="2026年目标确认将于1月10日开始",
        body="请在1月15日前在系统中确认或提出异议。",
        title_en="Goal confirmation opens on 10 January",
        body_en="Confirm or dispute your goals by 15 January.",
        audience_unit=org.sales,
    )

    assert announcement.recipients == 5  # the sales department: two managers, two reps, the mentor
    assert titles_in_inbox(everyone["rep"]) == ["2026年目标确认将于1月10日开始"]
    assert titles_in_inbox(everyone["other_team_rep"]) == ["Goal confirmation opens on 10 January"]
    assert titles_in_inbox(everyone["legal"]) == []  # HR's own unit is outside the sales department
    assert list(announcement_list_for(viewer=everyone["manager"])) == [announcement]
    assert list(announcement_list_for(viewer=everyone["legal"])) == []
    event = AuditEvent.objects.get(action="announcement.publish")
    assert event.details == {"audience": "SALES", "recipients": 5}


def test_hr_of_the_whole_organisation_tells_everyone_and_hr_of_a_part_only_that_part(
    everyone, hrbp, hr_director, org
):
    everyone_told = announcement_publish(actor=hr_director, title="春节放假安排", body="2月16日至22日放假。")
    assert everyone_told.recipients == 11  # every active account, the administrator's included
    with pytest.raises(PermissionDenied):
        announcement_publish(actor=hrbp, title="全公司", body="…")  # the whole company is not theirs
    with pytest.raises(PermissionDenied):
        announcement_publish(actor=hrbp, title="人事部", body="…", audience_unit=org.hr_unit)
    for someone in ("manager", "rep", "executive", "sysadmin"):
        with pytest.raises(PermissionDenied):
            announcement_publish(actor=everyone[someone], title="x", body="y")


def test_an_announcement_needs_words_and_a_future_last_day(hr_director):
    with pytest.raises(AnnouncementError):
        announcement_publish(actor=hr_director, title="  ", body="正文")
    with pytest.raises(AnnouncementError):
        announcement_publish(actor=hr_director, title="标题", body="x" * 5_001)
    with pytest.raises(AnnouncementError):
        announcement_publish(
            actor=hr_director,
            title="标题",
            body="正文",
            expires_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()


def test_an_expired_or_withdrawn_announcement_leaves_the_page_but_not_the_inboxes(
    everyone, hrbp, hr_director, org
):
    today = timezone.localdate()
    lasting = announcement_publish(actor=hrbp, title="长期", body="…", audience_unit=org.sales)
    brief = announcement_publish(
        actor=hrbp, title="今天", body="…", audience_unit=org.sales, expires_on=today
    )
    rep = everyone["rep"]
    assert set(announcement_list_for(viewer=rep)) == {lasting, brief}
    Announcement.objects.filter(pk=brief.pk).update(expires_on=today - dt.timedelta(days=1))
    announcement_withdraw(actor=hr_director, announcement=lasting)  # HR of the whole organisation may
    assert list(announcement_list_for(viewer=rep)) == []
    assert sorted(titles_in_inbox(rep)) == ["今天", "长期"]
    with pytest.raises(PermissionDenied):
        announcement_withdraw(actor=everyone["manager"], announcement=brief)


def test_the_page_shows_them_and_lets_hr_post_and_withdraw(everyone, hrbp, org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hrbp)
    page = client.get(PAGE).content.decode()
    assert "Post an announcement" in page
    assert "Everyone in the organisation" not in page  # not HR of the whole of it
    posted = client.post(
        PAGE,
        {"action": "publish", "title": "新版提成政策", "body": "详见附件。", "audience": str(org.sales.pk)},
        follow=True,
    ).content.decode()
    assert "Announced to 5 people." in posted
    announcement = Announcement.objects.get()
    rep = Client(HTTP_ACCEPT_LANGUAGE="en")
    rep.force_login(everyone["rep"])
    shown = rep.get(PAGE).content.decode()
    assert "新版提成政策" in shown
    assert "Post an announcement" not in shown
    assert rep.post(PAGE, {"action": "withdraw", "announcement": announcement.pk}).status_code == 200
    assert Announcement.objects.get().withdrawn_at is None  # a rep's post changes nothing
    other_hr = Client()
    client.post(PAGE, {"action": "withdraw", "announcement": "x"})
    assert client.post(PAGE, {"action": "withdraw", "announcement": announcement.pk}).status_code == 302
    assert Announcement.objects.get().withdrawn_at is not None
    assert other_hr.get(PAGE).status_code == 302  # signed-in people only


def test_a_bad_form_is_shown_again_with_its_errors(hrbp):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hrbp)
    response = client.post(PAGE, {"action": "publish", "title": "", "body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Announcement.objects.exists()
