"""Item titles: service, regions, schedule, quantity, medication."""

from __future__ import annotations

import pytest

from engine.facts.title import parse_title


def parsed(title: str) -> dict[str, object]:
    out = parse_title(title, 0, len(title))
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in out.values.items()}
    if "body_regions" in values:
        values["body_regions"] = [r.value for r in values["body_regions"]]  # type: ignore[attr-defined]
    for name, spans in out.spans.items():
        assert spans and all(0 <= s < e <= len(title) for s, e in spans), name
    return values


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "8 acupuncture treatments for the cervical spine (neck), 2 times a week for 4 weeks",
            {
                "service": "acupuncture",
                "body_regions": ["cervical"],
                "quantity": 8,
                "frequency_per_week": 2,
                "duration_weeks": 4,
            },
        ),
        (
            "Physical therapy 2x4 for the low back",
            {
                "service": "physical_therapy",
                "quantity": 8,
                "frequency_per_week": 2,
                "duration_weeks": 4,
                "body_regions": ["lumbar"],
            },
        ),
        (
            "Spinal manipulation 1 times 8",
            {
                "service": "chiropractic",
                "frequency_per_week": 1,
                "duration_weeks": 8,
                "quantity": 8,
            },
        ),
        (
            "Chiro 3 x per week x 4 weeks, L4-5",
            {
                "service": "chiropractic",
                "frequency_per_week": 3,
                "duration_weeks": 4,
                "quantity": 12,
                "body_regions": ["lumbar"],
            },
        ),
        (
            "Initial acupuncture, 1 to 2 times per week for 5 weeks, for the low back",
            {"frequency_per_week": 2, "duration_weeks": 5, "quantity": 10},
        ),
        (
            "Physical Therapy/Chiropractic Session for Thoraco-Lumbar regions",
            {"service": "physical_therapy", "quantity": 1, "body_regions": ["thoracic", "lumbar"]},
        ),
        (
            "Chiropractic treatment for the cervical spine, QTY: 8 sessions",
            {"quantity": 8, "service": "chiropractic"},
        ),
        ("Eight (8) physical therapy sessions", {"quantity": 8, "unit": "sessions"}),
        (
            "Associated surgical service: Physical Therapy sessions, 16",
            {"service": "physical_therapy", "quantity": 16, "postsurgical": True},
        ),
        ("Chiropractic evaluation, lumbar spine", {"service": "consultation"}),
        (
            "NCV of the bilateral upper extremities, 2",
            {"service": "electrodiagnostic", "quantity": 2, "body_regions": ["upper_extremity"]},
        ),
        (
            "MRI of the lumbar spine with contrast, 3 Tesla or higher only",
            {"service": "imaging", "body_regions": ["lumbar"]},
        ),
        (
            "Three months coverage of Viagra 50mg",
            {"medication": "sildenafil", "duration_weeks": 13.0, "strength_mg": 50.0},
        ),
    ],
)
def test_titles(title: str, expected: dict[str, object]) -> None:
    values = parsed(title)
    for key, want in expected.items():
        assert values.get(key) == want, (key, values)


def test_no_quantity_from_dates_levels_or_field_strength() -> None:
    for title in (
        "Retrospective CT scan of the thoracic spine (DOS 03/07/15)",
        "Facet joint injections L4-5, L5-S1",
        "MRI of the cervical spine without contrast, 1.5 Tesla or higher only",
    ):
        assert "quantity" not in parsed(title), title


@pytest.mark.parametrize(
    ("title", "medication", "brand", "strength", "count"),
    [
        ("Flexeril 7.5 mg #60", "cyclobenzaprine", "Flexeril", 7.5, 60),
        ("Cyclobenzaprine 7.5mg #27", "cyclobenzaprine", None, 7.5, 27),
        ("Fexmid 7.5mg #90", "cyclobenzaprine", "Fexmid", 7.5, 90),
        ("Norco 10/325mg #90", "hydrocodone/acetaminophen", "Norco", 10.0, 90),
        ("Meloxicam (Mobic) 7.5mg #30", "meloxicam", None, 7.5, 30),
    ],
)
def test_medications(
    title: str, medication: str, brand: str | None, strength: float, count: int
) -> None:
    values = parsed(title)
    assert values["service"] == "medication"
    assert values["medication"] == medication
    assert values.get("brand") == brand
    assert values["strength_mg"] == strength
    assert values["count"] == count
    assert values["quantity"] == count


def test_compound_and_refills() -> None:
    values = parsed("Flurbiprofen 10%/Lidocaine 5% cream, 120grams #1")
    assert values["ingredients"] == ["flurbiprofen", "lidocaine"]
    assert values["topical"] is True
    assert "nsaid" in values["drug_classes"]  # type: ignore[operator]
    assert parsed("Pantoprazole 40mg #60 with one refill")["refills"] == 1
    assert parsed("Two refills of Ibuprofen 600mg #90")["refills"] == 2
