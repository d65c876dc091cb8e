"""The answers the benchmarks give: one ordinary case, the same for every figure."""

# An ordinary case: gradual soreness in both calves after more walking, with a few other answers.
ORDINARY = {
    "age": 58,
    "sex": "female",
    "side": "both_legs",
    "onset": "gradual",
    "duration_days": 2,
    "pain_severity": "mild",
    "swelling": False,
    "warmth": False,
    "redness_or_discolouration": False,
    "tenderness_on_touch": True,
    "more_standing_walking_than_usual": True,
    "new_footwear_or_worn_shoes": True,
    "statin": True,
    "statin_started_recently": False,
    "diuretic": False,
    "night_cramp_before": True,
    "smoker": False,
    "diabetes": False,
}
