from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import set_language
from assessments.views.home import home
from clientreview import views

handler500 = "clientreview.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # Django's set_language (what django.conf.urls.i18n mounts), wrapped to keep the choice
    # on the profile too.
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="login",
    ),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
]

if settings.BENCH:
    # bench/web.py's reference page; the module is not even imported otherwise.
    urlpatterns += [path("bench/", include("bench.reference"))]
