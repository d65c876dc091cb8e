from django.urls import path

from triage import views

app_name = "triage"

# No answer ever appears in a URL: only topic slugs and the "change" flag.
urlpatterns = [
    path("", views.start, name="start"),
    path("check/answers/", views.check_answers, name="check_answers"),
    path("check/<slug:slug>/", views.step, name="step"),
    path("result/", views.result, name="result"),
    path("start-again/", views.start_again, name="start_again"),
    path("answers-deleted/", views.answers_deleted, name="answers_deleted"),
    path("session-ended/", views.session_ended, name="session_ended"),
]
