"""The numbers and the service the public is told to use, read from the environment."""

import pytest

from tests.test_settings import PRODUCTION, production_settings, run


def test_the_urgent_care_service_has_a_number_and_a_website_by_default():
    values = production_settings()
    assert values["URGENT_CARE_SERVICE"] == "NHS 111"
    assert values["URGENT_CARE_NUMBER"] == "111"
    assert values["URGENT_CARE_URL"] == "https://111.nhs.uk/"


def test_a_deployment_sets_its_own_urgent_care_number_and_website_or_none():
    values = production_settings(URGENT_CARE_NUMBER="116 117", URGENT_CARE_URL="https://116117.de/")
    assert values["URGENT_CARE_NUMBER"] == "116 117"
    assert values["URGENT_CARE_URL"] == "https://116117.de/"
    values = production_settings(URGENT_CARE_NUMBER="", URGENT_CARE_URL="")
    assert values["URGENT_CARE_NUMBER"] == "" and values["URGENT_CARE_URL"] == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EMERGENCY_NUMBER", "", "EMERGENCY_NUMBER must be a phone number"),
        ("EMERGENCY_NUMBER", "999 or 112", "EMERGENCY_NUMBER must be a phone number"),
        ("URGENT_CARE_NUMBER", "one-one-one", "URGENT_CARE_NUMBER must be a phone number"),
        ("URGENT_CARE_URL", "111.nhs.uk", "URGENT_CARE_URL must be an address"),
        ("URGENT_CARE_URL", "javascript:alert(1)", "URGENT_CARE_URL must be an address"),
    ],
    ids=["no-emergency-number", "words-in-number", "spelt-number", "no-scheme", "script"],
)
def test_it_refuses_to_start_with_a_number_or_address_a_link_cannot_carry(name, value, message):
    result = run(["manage.py", "check"], **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr
