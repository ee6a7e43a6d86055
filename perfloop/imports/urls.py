from django.urls import path

from perfloop.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/confirm/", views.confirm, name="confirm"),
    path("batches/<int:batch_id>/discard/", views.discard, name="discard"),
    path("batches/<int:batch_id>/progress/", views.progress, name="progress"),
    path("batches/<int:batch_id>/errors.xlsx", views.error_report, name="error_report"),
    path("batches/<int:batch_id>/rows.csv", views.rows_export, name="rows_export"),
    path("batches/<int:batch_id>/rows/<int:row_id>/fix/", views.row_fix, name="row_fix"),
    path("batches/<int:batch_id>/resubmit/", views.resubmit, name="resubmit"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/new/", views.profile_new, name="profile_new"),  # "new" is no profile's name
    path("profiles/<str:name>/", views.profile_edit, name="profile"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
