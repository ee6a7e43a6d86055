from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from perfloop.api import api
from perfloop.monitoring import urls as monitoring_urls
from perfloop.monitoring import views as monitoring_views

urlpatterns = [
    path("", monitoring_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("perfloop.accounts.urls")),
    path("dashboards/", include("perfloop.monitoring.urls")),
    path("metrics/", include(monitoring_urls.metrics_redirects)),
    path("goals/", include("perfloop.goals.urls")),
    path("imports/", include("perfloop.imports.urls")),
    path("separation/", include("perfloop.separation.urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("favicon.ico", RedirectView.as_view(url="/static/perfloop/favicon.svg", permanent=True)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
