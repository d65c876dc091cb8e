from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("triage.urls")),
]

# Error pages that need no database and never fail themselves (see calfsite.middleware).
handler400 = "calfsite.middleware.bad_request"
handler403 = "calfsite.middleware.permission_denied"
handler404 = "calfsite.middleware.page_not_found"
handler500 = "calfsite.middleware.server_error"
