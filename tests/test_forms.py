"""The questionnaire's forms, rendered by crispy-forms through the site's GOV.UK template pack."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.answer_sets import CASES, complete_answers, form_data, set_answers
from triage import questionnaire
from triage.questionnaire import Journey


class Page(HTMLParser):
    """The ids, the aria-describedby references, the error summary's links and each input's
    enclosing fieldset (with whether it has a legend) of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[str] = []
        self.summary_links: list[str] = []
        self.inputs: list[dict] = []  # radio and checkbox inputs, with their group
        self.groups: list[dict] = []  # open elements that are fieldsets or option groups
        self.fieldsets: list[dict] = []
        self._open: list[dict] = []  # the fieldsets open here, innermost last (a reveal nests)
        self._stack: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        self.described_by += (attributes.get("aria-describedby") or "").split()
        classes = (attributes.get("class") or "").split()
        inside = [a for _, a in self._stack]
        if tag == "a" and any("error-summary__list" in a.get("class", "") for a in inside):
            self.summary_links.append(attributes["href"])
        if tag == "fieldset":
            self.fieldsets.append({"legend": False, "classes": [], "inputs": []})
            self._open.append(self.fieldsets[-1])
        if tag == "legend" and self._open:
            self._open[-1]["legend"] = True
        if tag == "div" and self._open and ({"radios", "checkboxes"} & set(classes)):
            self._open[-1]["classes"] = classes
        if tag == "input" and attributes.get("type") in ("radio", "checkbox"):
            in_fieldset = any(name == "fieldset" for name, _ in self._stack)
            self.inputs.append({**attributes, "in_fieldset": in_fieldset})
            if self._open:
                self._open[-1]["inputs"].append(attributes)
        if tag not in ("input", "br", "meta", "link"):
            self._stack.append((tag, {"class": attributes.get("class") or ""}))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._open:
            self._open.pop()
        while self._stack:
            name, _ = self._stack.pop()
            if name == tag:
                break


def bogus_post(client, content, slug, answers):
    """Every question of the step answered with a value it does not allow."""
    data = {name: "bogus" for name in form_data(content, slug, answers)}
    return client.post(reverse("triage:step", args=[slug]), data)


@pytest.mark.parametrize("slug", ["emergency", "about-you", "how-the-pain-behaves", "medicines"])
def test_every_question_page_is_rendered_by_the_govuk_template_pack(client, content, slug):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    response = client.get(reverse("triage:step", args=[slug]))
    used = {template.name for template in response.templates}
    assert {"govuk/whole_uni_form.html", "govuk/field.html"} <= used
    response = bogus_post(client, content, slug, answers)
    assert "govuk/errors.html" in {template.name for template in response.templates}


def test_each_field_s_parts_are_linked_and_each_error_summary_link_finds_its_input(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    for topic in content.topics:
        questions = Journey(content, answers).applicable_questions(topic)
        response = bogus_post(client, content, topic.slug, answers)
        assert response.status_code == 200, topic.slug
        html = response.content.decode()
        page = Page(html)
        # A tick-all-that-apply list is one field, whatever the number of its items.
        fields = len({q.group or q.fact for q in questions})
        if topic.kind == questionnaire.CHECKLIST:
            fields = 1
        # One link for each field, to its first input, which exists.
        assert len(page.summary_links) == fields, topic.slug
        for link in page.summary_links:
            assert link.startswith("#") and link[1:] in page.ids, (topic.slug, link)
        # Every hint and error a field points to is on the page, and every error is named so.
        assert page.described_by and set(page.described_by) <= page.ids, topic.slug
        assert html.count('<span class="visually-hidden">Error:</span>') == fields, topic.slug
        # Every radio and checkbox is in a fieldset with a legend.
        assert all(item["in_fieldset"] for item in page.inputs), topic.slug
        assert all(group["legend"] for group in page.fieldsets), topic.slug


def test_yes_and_no_are_inline_and_longer_choices_are_not(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    seen = {"inline": 0, "stacked": 0}
    for topic in content.topics:
        if topic.kind == questionnaire.CHECKLIST:
            continue
        page = Page(client.get(reverse("triage:step", args=[topic.slug])).content.decode())
        for group in page.fieldsets:
            values = [item["value"] for item in group["inputs"]]
            inline = "radios--inline" in group["classes"]
            # A choice that reveals follow-up questions needs room below it: never inline.
            reveals = any("data-aria-controls" in item for item in group["inputs"])
            short = len(values) == 2 or values[:1] == ["yes"]
            # A list of checkboxes (a list's "Which are you not sure about?" may have two) is
            # never inline.
            radios = "checkboxes" not in group["classes"]
            assert inline == (radios and short and not reveals), (topic.slug, values)
            seen["inline" if inline else "stacked"] += 1
    assert seen["inline"] and seen["stacked"]


def test_none_of_these_is_the_exclusive_last_checkbox(client, content):
    page = Page(client.get(reverse("triage:step", args=["emergency"])).content.decode())
    (group,) = page.fieldsets
    assert group["classes"] == ["checkboxes"]
    *signs, none = group["inputs"]
    assert none["value"] == "none" and none["data-behaviour"] == "exclusive"
    assert signs and not any("data-behaviour" in sign for sign in signs)
    assert [sign["id"] for sign in signs] == [f"id_signs_{i}" for i in range(len(signs))]


def test_every_list_of_a_question_page_ends_with_an_exclusive_none_of_these(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    lists = 0
    for topic in content.topics[1:]:
        page = Page(client.get(reverse("triage:step", args=[topic.slug])).content.decode())
        for group in page.fieldsets:
            if group["classes"] != ["checkboxes"]:
                continue
            name = group["inputs"][0]["name"]
            if name.endswith("-not-sure"):
                continue  # a list's "Which are you not sure about?", inside the list
            lists += 1
            inputs = [i for i in group["inputs"] if i["name"] == name]
            *items, none = inputs
            assert none["value"] == "none" and none["data-behaviour"] == "exclusive"
            if items[-1]["value"] == "not_sure":
                # "I'm not sure about some of these", when an item offers "Not sure"
                items.pop()
            assert items and all(content.questions[i["value"]].group for i in items)
    journey = Journey(content, answers)
    shown = {q.group for t in content.topics[1:] for q in journey.applicable_questions(t)} - {""}
    assert shown and lists == len(shown)
