"""Complete answer sets for the questionnaire tests, built by walking the step registry."""

from triage import questionnaire
from triage.forms import GROUP_FIELD, UNSURE, UNSURE_FIELD
from triage.questionnaire import Journey

# Plain answers for a healthy 40-year-old man; each case changes a few of them.
DEFAULTS = {
    "age": 40,
    "sex": "male",
    "side": "both_legs",
    "onset": "gradual",
    "duration_days": 2,
    "pain_severity": "mild",
}

# One ordinary case per urgency level (checked against the rules in test_questionnaire.py).
CASES = {
    "emergency": {"chest_pain_or_breathless": True},
    "urgent": {"age": 70, "side": "one_leg", "swelling": True},
    "soon": {"statin": True, "statin_started_recently": True, "aches_elsewhere": True},
    "self_care": {"more_standing_walking_than_usual": True, "tenderness_on_touch": True},
}


def default_answer(question):
    if question.fact in DEFAULTS:
        return DEFAULTS[question.fact]
    if question.kind == "boolean":
        return False
    if question.kind == "choice":
        return question.choices[0].value
    return question.min_value or 0


def complete_answers(content, overrides=None) -> dict:
    """Every question asked answered: the overrides, else a plain default."""
    overrides = overrides or {}
    answers: dict = {}
    while True:
        step = Journey(content, answers).first_unanswered_step()
        if step is None:
            return answers
        for question in questionnaire.Journey(content, answers).applicable_questions(step):
            if question.fact not in answers:
                answers[question.fact] = overrides.get(question.fact, default_answer(question))
        if Journey.of(content, answers).assessment.is_emergency:
            return answers


def form_data(content, slug: str, answers: dict) -> dict:
    """The POST body a person would send on step ``slug`` to give these answers."""
    topic = questionnaire.get_step(content, slug)
    questions = questionnaire.Journey(content, answers).applicable_questions(topic)
    if topic.kind == questionnaire.CHECKLIST:
        ticked = [q.fact for q in questions if answers.get(q.fact)]
        return {"signs": ticked or ["none"]}
    data = {}
    for question in questions:
        if question.fact not in answers:
            continue
        value = answers[question.fact]
        if question.group:
            # One "Select all that apply" list: the items answered yes, and "I'm not sure about
            # some of these" with the items not sure about in its own list; else "None of these".
            name = GROUP_FIELD % question.group
            ticked = [fact for fact in data.get(name, []) if fact != "none"]
            if value is True:
                ticked.append(question.fact)
            elif value == "not_sure":
                data.setdefault(UNSURE_FIELD % question.group, []).append(question.fact)
                if UNSURE not in ticked:
                    ticked.append(UNSURE)
            data[name] = ticked or ["none"]
            continue
        if question.kind == "boolean":
            data[question.fact] = {True: "yes", False: "no", "not_sure": "not_sure"}[value]
        else:
            data[question.fact] = str(value)
    return data


def set_answers(client, answers: dict) -> None:
    """Put answers in the test client's session (a signed cookie)."""
    from django.conf import settings

    session = client.session
    session["answers"] = answers
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def session_answers(client) -> dict:
    return dict(client.session.get("answers", {}))
