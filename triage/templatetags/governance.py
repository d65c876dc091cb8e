"""Template tags of the admin index: reviews that are overdue, and a draft waiting for review."""

from django import template
from django.utils import timezone

from triage import gate, review, services
from triage.selectors import content_data

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_reviews(context):
    """The overdue reviews, for clinical reviewers only (nothing for anyone else)."""
    user = context["request"].user
    if not user.has_perm(gate.SIGN_OFF_PERMISSION):
        return []
    return review.overdue_reviews(timezone.localdate())


@register.simple_tag
def draft_pending() -> bool:
    """The draft differs from what the public sees."""
    live = services.latest_release()
    return live is None or live.content != content_data()
