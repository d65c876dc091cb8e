"""
The public journey on the draft content, for the review page: each question page, the results
for the answers of a safety case, and the printout. The public templates render it, with the
context the public views build, from the draft's snapshot instead of the live one.
"""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from triage import views
from triage.criteria import CriteriaError
from triage.forms import StepForm
from triage.models import SafetyCase
from triage.questionnaire import Journey
from triage.results import result_context
from triage.selectors import build_snapshot


def _url(**query) -> str:
    return f"{reverse('admin:triage_release_preview')}?{urlencode(query)}"


def preview(request):
    try:
        draft = build_snapshot()
    except CriteriaError as error:
        raise Http404(_("The draft content does not load: %(error)s") % {"error": error}) from None
    topics = list(draft.topics)
    context = {
        "review_url": reverse("admin:triage_release_review"),
        "topics": [(topic, _url(step=topic.slug)) for topic in topics],
        "partial": False,
    }
    slug = request.GET.get("step")
    if slug is not None:
        index = next((i for i, t in enumerate(topics) if t.slug == slug), None)
        if index is None:
            raise Http404(_("There is no such question page in the draft."))
        following = topics[index + 1] if index + 1 < len(topics) else None
        next_url = _url(step=following.slug) if following else context["review_url"]
        if request.method == "POST":
            # "Continue" in the preview goes to the draft's next page; nothing is stored.
            return HttpResponseRedirect(next_url)
        topic = topics[index]
        # Every question of the page, those asked only after some answers too.
        form = StepForm(topic=topic, questions=list(topic.questions), action=_url(step=slug))
        page = views.step_context(Journey(draft, {}), topic, form, changing=False)
        previous = topics[index - 1] if index else None
        page["back_url"] = _url(step=previous.slug) if previous else context["review_url"]
        template = "triage/step.html#region"
        context |= {"current": topic.slug, "next_url": next_url}
    elif request.GET.get("case"):
        case = get_object_or_404(SafetyCase, slug=request.GET["case"])
        journey = Journey.of(draft, case.answers)
        page = {"page_title": _("Your results"), **result_context(journey)}
        template = "triage/result.html#region"
        printout = request.GET.get("print") == "1"
        context |= {
            "case": case,
            "printout": printout,
            "other_url": _url(case=case.slug, **({} if printout else {"print": "1"})),
        }
    else:
        raise Http404(_("Choose a question page or a safety case to preview."))
    return TemplateResponse(
        request,
        "admin/triage/release/preview.html",
        {**page, **context, "page_template": template},
    )
