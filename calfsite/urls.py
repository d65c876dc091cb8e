from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("triage.urls")),
]

# Safe pages even when the database is down (see calfsite.middleware).
handler500 = "calfsite.middleware.server_error"
