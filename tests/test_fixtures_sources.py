"""
The shipped sources (fixtures/sources.json) keep to the source rules of red-flags.md §5: only
official health services, guideline bodies, regulators, professional societies and peer-reviewed
journals cited by DOI or PubMed ID, each at its publisher's own address. News reports, blogs,
forums, shops, pharmacies, calculators, copies of NHS text on other hosts and staging or demo
sites are refused, and the seed text is never a source.
"""

import json
from urllib.parse import urlparse

import pytest

from triage.models import Source
from triage.services import FIXTURES_DIR

ROWS = [row["fields"] for row in json.loads((FIXTURES_DIR / "sources.json").read_text("utf-8"))]

# Publisher -> the hosts its canonical addresses live on (a host or any subdomain of it).
OFFICIAL = {
    "NHS": ("www.nhs.uk",),
    "NHS digital service manual": ("service-manual.nhs.uk",),
    "NHS England Digital": ("digital.nhs.uk",),
    "nidirect (Northern Ireland Government)": ("www.nidirect.gov.uk",),
    "HSE (Ireland)": ("www2.hse.ie", "www.hse.ie"),
    "healthdirect Australia": ("www.healthdirect.gov.au",),
    "Health New Zealand – Te Whatu Ora": ("info.health.nz",),
    "NICE": ("www.nice.org.uk",),
    "NICE CKS": ("cks.nice.org.uk",),
    "BNF (NICE)": ("bnf.nice.org.uk",),
    "MHRA Drug Safety Update": ("www.gov.uk",),
    "British Orthopaedic Association": ("www.boa.ac.uk",),
    "Royal College of Obstetricians and Gynaecologists": ("www.rcog.org.uk",),
    "UK Oncology Nursing Society": ("www.ukons.org",),
    "American Academy of Orthopaedic Surgeons": ("orthoinfo.aaos.org",),
}
# Peer-reviewed journals (and the society that publishes one) are cited by DOI or PubMed ID.
JOURNALS = {
    "European Society for Vascular Surgery / Elsevier",
    "NEJM",
    "BMJ",
    "Springer",
    "Sports Medicine (Springer)",
    "European Heart Journal",
    "Journal of Clinical Epidemiology",
    "Journal of Vascular Surgery",
    "Hindawi",
}
IDENTIFIER_HOSTS = ("doi.org", "pubmed.ncbi.nlm.nih.gov")
# The keys of red-flags.md §5, so content cites sources by the guidance's own names.
GUIDANCE_KEYS = {
    "nhs-dvt", "nhs-pe", "nhs-oedema", "nhs-heart-failure", "nhs-pad", "nidirect-pad",
    "nhs-compartment", "nhs-sciatica", "nhs-cauda-equina", "nhs-gbs", "nhs-cellulitis",
    "nhs-sepsis", "nhs-sprains", "nhs-achilles", "nhs-bakers-cyst", "nhs-leg-cramps",
    "nhs-dehydration", "nhs-flu", "nhs-vitamin-d", "nhs-statins", "nhs-atorvastatin",
    "nhs-simvastatin", "nhs-amlodipine", "nhs-apixaban", "nhs-warfarin", "nhs-chemotherapy",
    "nhs-pregnancy-swelling", "nhs-pre-eclampsia", "nhs-care-cards", "nhs-pathways",
    "hse-pregnancy-leg-cramps", "healthdirect-dvt", "health-nz-ali", "nice-ng158", "nice-qs201",
    "nice-cg147", "nice-ng59", "nice-ng19", "nice-ng141", "nice-cg151", "nice-ng51",
    "nice-ng238", "nice-ng133", "cks-dvt", "cks-pad", "cks-sciatica", "cks-cellulitis",
    "cks-leg-cramps", "cks-achilles", "cks-neutropenic-sepsis", "cks-vitamin-d",
    "cks-anticoagulation", "bnf-simvastatin", "bnf-ciprofloxacin", "mhra-fq-2019",
    "mhra-fq-2024", "mhra-simvastatin", "mhra-ppi-magnesium", "esvs-ali-2020",
    "boa-compartment", "rcog-gtg37b", "ukons-triage", "aaos-cecs", "wells-2003",
    "leng-fowkes-1992", "atahualpa-ecq-2014", "rosenson-2017", "stroes-2015", "herrett-2021",
    "bosch-2009", "gennari-1998", "cheung-2003", "bernstein-2017", "sinha-2012",
}  # fmt: skip
# Sources the guidance marks [CONFIRM]: the reviewer must see them flagged.
GUIDANCE_CONFIRM = {
    "nhs-chemotherapy", "cks-achilles", "cks-neutropenic-sepsis", "cks-vitamin-d",
    "cks-anticoagulation", "boa-compartment", "rcog-gtg37b", "ukons-triage", "aaos-cecs",
    "leng-fowkes-1992", "atahualpa-ecq-2014", "sinha-2012",
}  # fmt: skip


def _host_allowed(host: str, hosts) -> bool:
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


def source_problem(fields: dict) -> str | None:
    """Why a source breaks the source rules, or None when it keeps to them."""
    publisher, url = fields["publisher"], fields["url"]
    host = urlparse(url).netloc.lower() if url else ""
    if publisher in OFFICIAL:
        if not url:
            return "an official source needs its canonical address"
        if urlparse(url).scheme != "https" or not _host_allowed(host, OFFICIAL[publisher]):
            return f"{host or url!r} is not where {publisher} publishes"
        if publisher == "MHRA Drug Safety Update" and "/drug-safety-update/" not in url:
            return "an MHRA source must be a Drug Safety Update"
        return None
    if publisher in JOURNALS:
        if url and not _host_allowed(host, IDENTIFIER_HOSTS):
            return f"a journal article is cited by DOI or PubMed ID, not at {host}"
        if not url and "[CONFIRM]" not in fields["note"]:
            return "a journal article without an identifier must say it is to be confirmed"
        return None
    return f"{publisher!r} is not a publisher the source rules allow"


def test_every_shipped_source_keeps_to_the_source_rules():
    problems = {row["slug"]: source_problem(row) for row in ROWS}
    assert not {slug: p for slug, p in problems.items() if p}


def test_the_sources_are_exactly_those_of_the_guidance():
    assert {row["slug"] for row in ROWS} == GUIDANCE_KEYS


@pytest.mark.parametrize(
    "fields",
    [
        {"publisher": "News report of NHS text (particle.news)", "url": "https://particle.news/x"},
        {"publisher": "NHS (copy on 1stchoicepharmacy.co.uk)", "url": "https://1stchoice.co.uk/a"},
        {"publisher": "NHS", "url": "https://beta.nhs.uk.example.com/conditions/dvt/"},
        {"publisher": "NHS", "url": "https://notinline.org/health-conditions/compartment"},
        {"publisher": "Krames (demo site)", "url": "https://kramesonlinedemo.kramesonline.com/1"},
        {"publisher": "Mayo Clinic", "url": "https://www.mayoclinic.org/symptoms/leg-swelling"},
        {"publisher": "MedicalCriteria.com", "url": "https://medicalcriteria.com/web/ecq/"},
        {"publisher": "NEJM", "url": "https://www.spacedoc.com/board/viewtopic.php?t=827"},
        {"publisher": "Project seed text", "url": ""},
        {"publisher": "NICE", "url": "http://www.nice.org.uk/guidance/ng158"},
        {"publisher": "MHRA Drug Safety Update", "url": "https://www.gov.uk/some-blog-post"},
    ],
    ids=[
        "news-report",
        "pharmacy-copy-of-nhs-text",
        "look-alike-host",
        "nhs-text-on-another-host",
        "demo-site",
        "publisher-outside-the-rules",
        "calculator-site",
        "journal-at-a-forum",
        "seed-text",
        "not-https",
        "mhra-outside-drug-safety-update",
    ],
)
def test_a_source_outside_the_rules_is_refused(fields):
    assert source_problem({"note": "", **fields}) is not None


@pytest.mark.django_db
def test_every_seeded_source_keeps_to_the_rules_and_none_is_the_seed_text():
    for source in Source.objects.all():
        fields = {"publisher": source.publisher, "url": source.url, "note": source.note}
        assert source_problem(fields) is None, source.slug
        assert "seed" not in source.slug and "seed" not in source.publisher.lower()


def test_sources_the_guidance_marks_confirm_stay_marked_for_a_reviewer():
    marked = {row["slug"] for row in ROWS if row["to_confirm"]}
    assert marked >= GUIDANCE_CONFIRM
    for row in ROWS:
        if row["to_confirm"]:
            assert "confirm" in row["note"].lower() or "checked" in row["note"], row["slug"]


@pytest.mark.django_db
def test_the_admin_source_list_shows_and_filters_what_is_to_confirm(client):
    from tests.admin_support import REVIEWER, admin_url, make_user

    client.force_login(make_user("reviewer", REVIEWER))
    page = client.get(admin_url(Source, "changelist")).content.decode()
    assert "to confirm" in page.lower()
    confirmed = client.get(admin_url(Source, "changelist"), {"to_confirm__exact": "1"})
    shown = {source.slug for source in confirmed.context["cl"].result_list}
    assert shown == set(Source.objects.filter(to_confirm=True).values_list("slug", flat=True))
    assert shown >= GUIDANCE_CONFIRM
