"""Every write to content moves the ContentVersion on, so every process reloads it."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from triage.models import Cause, Choice, EvidenceRule, Question, RedFlag, Source, Topic
from triage.selectors import bump_content_version

CONTENT_MODELS = (Source, Topic, Question, Choice, RedFlag, Cause, EvidenceRule)


@receiver(post_save)
@receiver(post_delete)
def content_changed(sender, **kwargs):
    if sender in CONTENT_MODELS:
        bump_content_version()


@receiver(m2m_changed, sender=Cause.sources.through)
@receiver(m2m_changed, sender=RedFlag.sources.through)
def sources_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_content_version()
