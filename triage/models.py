"""
The clinical content: sources, questions, red flags, causes and the evidence rules that link
answers to causes. Every model has a slug natural key, so fixtures carry no integer ids.

Criteria (on red flags, evidence rules and question skip conditions) are JSON data in the small
language of ``triage.criteria``: ``{"fact": "swelling", "is": true}``, ``{"all": [...]}``,
``{"any": [...]}``, ``{"at_least": 2, "of": [...]}``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent: get help today")
    SOON = "soon", _("Soon: see a doctor within days")
    SELF_CARE = "self_care", _("Self care")


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Content(models.Model):
    """Fields every piece of content has: a stable slug and an order."""

    slug = models.SlugField(max_length=80, unique=True)

    objects = SlugManager()

    class Meta:
        abstract = True

    def __str__(self):
        return getattr(self, "title", "") or self.slug

    def natural_key(self):
        return (self.slug,)


class Source(Content):
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    note = models.TextField(
        blank=True, help_text=_("How this source was read, or doubts about it.")
    )
    to_confirm = models.BooleanField(
        _("to confirm"),
        default=False,
        help_text=_(
            "The guidance marks this source [CONFIRM]: its wording or address must be checked "
            "against the live page by a reviewer before release."
        ),
    )

    class Meta:
        ordering = ["title"]


class Topic(Content):
    """A page of the questionnaire: one small topic, asked in ``order``."""

    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist with 'None of these'")
        QUESTIONS = "questions", _("Questions")

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.QUESTIONS)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]


class QuestionGroup(Content):
    """
    Yes-or-no questions of one topic asked together as one "Select all that apply" question,
    with an exclusive "None of these": a ticked item is yes, an item shown and not ticked is
    no. When an item offers "Not sure", the list also offers "I'm not sure about some of these",
    which brings a second list of those items: one ticked there is "Not sure".
    """

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="groups")
    order = models.PositiveIntegerField(default=0)
    legend = models.CharField(
        max_length=300,
        help_text=_("The question the list answers, e.g. 'Do you have any of these?'"),
    )
    hint = models.CharField(
        max_length=300, blank=True, help_text=_("E.g. 'Select all that apply.'")
    )

    class Meta:
        ordering = ["topic__order", "order", "slug"]

    def __str__(self):
        return self.slug


class Question(Content):
    """One fact of the answer schema, asked in plain words. ``slug`` is the fact name."""

    class Kind(models.TextChoices):
        BOOLEAN = "boolean", _("Yes or no")
        CHOICE = "choice", _("One of several choices")
        INTEGER = "integer", _("Whole number")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind)
    text = models.CharField(max_length=300, help_text=_("The question as the person sees it."))
    short_label = models.CharField(
        max_length=120, help_text=_("A short label for check-your-answers and the summary.")
    )
    hint = models.TextField(blank=True)
    why_we_ask = models.TextField(blank=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    allow_not_sure = models.BooleanField(
        default=True,
        help_text=_(
            "Offer 'Not sure' on yes-or-no questions; the answer is stored as \"not_sure\"."
        ),
    )
    unsure_words = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "The sign in plain words, for 'You were not sure whether ..., so to be safe ...', "
            "e.g. 'one calf is bigger than the other'. Needed when 'Not sure' is offered."
        ),
    )
    ask_when = models.JSONField(
        null=True,
        blank=True,
        help_text=_("Criteria: ask only when these answers are true. Empty: always ask."),
    )
    group = models.ForeignKey(
        QuestionGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text=_(
            "Asked as one item of this 'Select all that apply' list: a tick is yes, no tick is "
            "no, and with 'Not sure' offered, a tick in the list of those not sure about is "
            "'Not sure'. Only for yes-or-no questions, in the group's topic."
        ),
    )

    class Meta:
        ordering = ["topic__order", "order", "slug"]

    def __str__(self):
        return self.slug

    def clean(self):
        if self.kind != self.Kind.INTEGER and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValidationError(_("Only whole-number questions have a minimum or maximum."))
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError(_("The minimum is larger than the maximum."))
        if self.group_id is not None:
            problem = group_problem(kind=self.kind, same_topic=self.group.topic_id == self.topic_id)
            if problem:
                raise ValidationError({"group": problem})


def group_problem(*, kind: str, same_topic: bool) -> str:
    """Why a question cannot be an item of a tick-all-that-apply group ("" if it can)."""
    if kind != Question.Kind.BOOLEAN:
        return _("Only a yes-or-no question can be in a group.")
    if not same_topic:
        return _("A question can only be in a group of its own topic.")
    return ""


class ChoiceManager(models.Manager):
    def get_by_natural_key(self, question_slug, value):
        return self.get(question__slug=question_slug, value=value)


class Choice(models.Model):
    """An allowed value of a choice question, with the words shown for it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    value = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    hint = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = ChoiceManager()

    class Meta:
        ordering = ["order", "value"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="unique_choice_value")
        ]

    def __str__(self):
        return f"{self.question.slug}={self.value}"

    def natural_key(self):
        return (self.question.slug, self.value)

    natural_key.dependencies = ["triage.question"]


class RedFlag(Content):
    """A combination of answers that on its own sets the urgency, whatever else is said."""

    title = models.CharField(max_length=200)
    urgency = models.CharField(max_length=20, choices=Urgency)
    criteria = models.JSONField(help_text=_("When this red flag fires."))
    action = models.TextField(help_text=_("What to do now: the message shown to the person."))
    why_it_matters = models.TextField()
    safety_net = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("'If it gets worse' advice: the sign to watch for and what to do."),
    )
    guidance_row = models.CharField(
        max_length=200, help_text=_("The row of the clinical guidance this comes from.")
    )
    sources = models.ManyToManyField(Source, related_name="red_flags")
    order = models.PositiveIntegerField(default=0)
    last_reviewed = models.DateField(
        null=True, blank=True, help_text=_("Empty: not signed off by a clinical reviewer yet.")
    )
    next_review_due = models.DateField(null=True, blank=True, help_text=_("Empty: due now."))

    class Meta:
        ordering = ["order", "slug"]

    def clean(self):
        _check_review_dates(self)


def _check_review_dates(content) -> None:
    if (
        content.last_reviewed
        and content.next_review_due
        and (content.next_review_due < content.last_reviewed)
    ):
        raise ValidationError(
            {"next_review_due": _("The next review cannot be due before the last review.")}
        )


class Cause(Content):
    """A possible cause of calf soreness, explained for the public."""

    title = models.CharField(max_length=200)
    summary = models.TextField(help_text=_("One or two plain sentences."))
    explanation = models.TextField(help_text=_("What it is. Markdown."))
    self_care = models.TextField(help_text=_("What helps. Markdown."))
    when_to_get_help = models.TextField(help_text=_("When to get help. Markdown."))
    urgency = models.CharField(
        max_length=20,
        choices=Urgency,
        help_text=_(
            "The level of care this cause usually needs, shown with it. The urgency of a "
            "result comes from the red flags, never from a cause on its own."
        ),
    )
    sources = models.ManyToManyField(Source, related_name="causes")
    last_reviewed = models.DateField()
    next_review_due = models.DateField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def clean(self):
        _check_review_dates(self)


class EvidenceRule(Content):
    """An answer that makes a cause more or less likely, with the sentence shown for it."""

    class Strength(models.IntegerChoices):
        STRONG = 3, _("Strong")
        MODERATE = 2, _("Moderate")
        WEAK = 1, _("Weak")

    class Direction(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        OPPOSES = "opposes", _("Argues against")

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="rules")
    criteria = models.JSONField(help_text=_("When this rule applies."))
    direction = models.CharField(max_length=10, choices=Direction, default=Direction.SUPPORTS)
    strength = models.PositiveSmallIntegerField(choices=Strength, default=Strength.MODERATE)
    statement = models.CharField(
        max_length=300,
        help_text=_("Shown to the person, e.g. 'You said the pain started after new shoes.'"),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cause__order", "order", "slug"]

    @property
    def weight(self) -> int:
        return self.strength if self.direction == self.Direction.SUPPORTS else -self.strength


class SafetyCase(Content):
    """
    A clinical safety case: a set of answers and what the rules service must make of it.

    Every case is run against the content before a rule, red flag or urgency change is saved;
    a change that would give any case a lower urgency than expected is refused.
    """

    title = models.CharField(max_length=200)
    guidance_row = models.CharField(
        max_length=200, help_text=_("The row of the clinical guidance this case comes from.")
    )
    answers = models.JSONField(help_text=_("Fact names to answers; missing facts are unknown."))
    expected_urgency = models.CharField(max_length=20, choices=Urgency)
    expected_top_causes = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Cause slugs; one of them must be among the three top-ranked causes. Empty: no check."
        ),
    )
    expected_red_flags = models.JSONField(
        default=list, blank=True, help_text=_("Red-flag slugs that must fire.")
    )
    absent_red_flags = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Red-flag slugs that must stay quiet (a near miss)."),
    )
    atypical = models.BooleanField(
        default=False,
        help_text=_(
            "An atypical story: a misleading onset word, both legs with one calf bigger, a "
            "'Not sure' answer, many facts unanswered, a risk factor without a symptom, an "
            "improving or recurrent course, or a near miss."
        ),
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["slug"]


class SeededItem(models.Model):
    """What ``seed_content`` created once, so content an editor deleted is not brought back."""

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    seeded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="unique_seeded_item")]

    def __str__(self):
        return f"{self.model} {self.key}"


def _new_token() -> str:
    return uuid.uuid4().hex


class Release(models.Model):
    """
    A numbered, published state of the content: what the public site serves, as it was approved.

    ``content`` is the whole content as plain data (``triage.selectors.content_data``). A release
    is made when a clinical reviewer who changed none of it approves the working draft, or when a
    reviewer rolls back to an earlier release; never edited afterwards.
    """

    number = models.PositiveIntegerField(unique=True)
    token = models.CharField(max_length=32, unique=True, default=_new_token, editable=False)
    published_at = models.DateTimeField()
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="authored_releases",
        help_text=_("Everyone who changed the draft that this release published."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_releases",
        help_text=_("Empty: published from the shipped content when the site was set up."),
    )
    rollback_of = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("The earlier release whose content this publishes again."),
    )
    note = models.TextField(blank=True, help_text=_("The approver's note."))
    changes = models.JSONField(default=list, help_text=_("What changed, one line each."))
    case_results = models.JSONField(
        default=list, help_text=_("Each safety case's result on the published content.")
    )
    content = models.JSONField()
    # The newest history revision (django-reversion) whose change this release includes: later
    # revisions belong to the next release, and their users are its authors.
    last_revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        permissions = [("publish_release", "Can approve and publish content releases")]

    def __str__(self):
        return _("Release %(number)d") % {"number": self.number}
