from django.urls import path

from perfloop.accounts import sso, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-in/code/", views.second_factor_verify, name="second_factor_verify"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("sso/start/", sso.SsoStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso_callback"),
    path("announcements/", views.announcements, name="announcements"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:notification_id>/open/", views.inbox_open, name="inbox_open"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export.xlsx", views.my_data_workbook, name="my_data_export"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_log_workbook, name="audit_log_export"),
]
