"""What a generated workspace is made of: sizes, people's employers and referrals, topics, and
the engagement situations members are placed in. Thresholds, channels and service codes are the
dbt project's (fake_intercom/rules.py); only the generator's own choices are written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fake_intercom.rules import load_rules

GENERATOR_VERSION = 1
HISTORY_DAYS = 548  # 18 months
DAY = 86_400
BATCH = 5_000
RULES = load_rules()


@dataclass(frozen=True)
class Size:
    contacts: int
    conversations: int


SIZES = {
    "tiny": Size(40, 300),
    "demo": Size(600, 8_000),
    "small": Size(2_000, 30_000),
    "medium": Size(20_000, 300_000),
    "large": Size(100_000, 2_000_000),
}


def anchor_of(now: datetime) -> datetime:
    """The end of generated history: the start of `now`'s UTC day."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


CHANNELS = RULES.channel_names  # Phone, Video Conference, Email, Chat
CALL_CHANNELS = RULES.call_channels  # Phone, Video Conference
QUALIFYING_CODES = RULES.qualifying_codes  # Health Coaching 001, Disease Management 002
SERVICE_CODES = tuple(RULES.service_codes)
# The values the generator's conversation templates use by name; which of them are calls,
# coaching or qualifying is the seeds' business (tests check each name is in its seed).
PHONE, EMAIL, CHAT = "Phone", "Email", "Chat"
TECH_SUPPORT, BENEFITS_QUESTION = "Tech Support 003", "Benefits Question 004"
# Descriptions of the workspace's custom data attributes (their names, models and types are the
# seed intercom_attributes).
ATTRIBUTE_DESCRIPTIONS = {
    "Enrolled Date": "Date the member enrolled in the program",
    "Registration Date": "Date the member registered",
    "Date of Birth": "Member's date of birth",
    "Employer": "Member's employer",
    "Referral": "How the member was referred",
    "Registration Code": "Code used at registration",
    "Last Coaching Session": "Maintained: latest qualifying call",
    "First Session Date": "Maintained: first qualifying call",
    "Last Call": "Maintained: latest phone call",
    "Engagement Status": "Maintained: Engaged, At Risk, Unengaged",
    "Engagement Status Date": "Maintained: when the status changed",
    "Eligible Programs": "Maintained: sorted, '; '-joined programs",
    "Channel": "How the session took place",
    "Service Code": "Billing service code",
}
ATTRIBUTE_OPTIONS = {"Channel": CHANNELS, "Service Code": SERVICE_CODES}

LEAD_SHARE = 0.08
BIG_EMPLOYERS = (
    ("Acme Manufacturing", 0.30),
    ("Northwind Health System", 0.20),
    ("Globex Logistics", 0.10),
)
TEST_EMPLOYER = RULES.test_employers[0]
REFERRALS = (
    ("Counter Health", 0.22),
    ("Employer Benefits Fair", 0.14),
    ("Primary Care Physician", 0.14),
    ("Website", 0.20),
)
OTHER_PROGRAMS = ("Diabetes Prevention", "Weight Management")
LOCALES = {"en_US": 0.7, "es_MX": 0.1, "de_DE": 0.05, "fr_FR": 0.05, "tr_TR": 0.05, "vi_VN": 0.05}
TOPICS = {
    QUALIFYING_CODES[0]: (
        "nutrition goals",
        "sleep routine",
        "stress management",
        "activity plan",
        "weight progress",
    ),
    QUALIFYING_CODES[1]: (
        "blood pressure log",
        "glucose readings",
        "medication support",
        "care plan review",
    ),
    TECH_SUPPORT: ("app login problem", "password reset", "device sync issue"),
    BENEFITS_QUESTION: ("benefits eligibility", "coverage question", "enrollment form"),
}

# Situations the generator aims at; the manifest labels come from the generated data.
# (name, enrolled days ago range, first call days after enrolment, last call days ago)
_ENGAGED, _AT_RISK, _WEEK = RULES.engaged_days, RULES.at_risk_days, RULES.recent_days
SITUATIONS: dict[str, tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int] | None]] = {
    "engaged": ((45, 540), (1, 20), (1, _ENGAGED)),
    "at_risk": ((80, 540), (1, 20), (_ENGAGED + 1, _AT_RISK)),
    "unengaged": ((150, 540), (1, 20), (_AT_RISK + 1, 120)),
    "never_called": ((_ENGAGED + 1, 400), None, None),
    "new_no_call": ((_WEEK, _ENGAGED), None, None),
    "late_first_call": ((75, 400), (_ENGAGED + 1, _ENGAGED + 17), (1, _ENGAGED)),
    "enrolled_this_week": ((1, _WEEK - 1), None, None),
}
SITUATION_WEIGHTS = {
    "engaged": 0.42,
    "at_risk": 0.12,
    "unengaged": 0.16,
    "never_called": 0.08,
    "new_no_call": 0.06,
    "late_first_call": 0.10,
    "enrolled_this_week": 0.06,
}
# Boundary members first, so even `tiny` holds every situation and both edges of each
# threshold (the last call engaged_days and one more days ago, at_risk_days and one more).
FORCED_SITUATIONS: tuple[tuple[str, int | None, int | None], ...] = (
    ("engaged", None, _ENGAGED),
    ("at_risk", None, _ENGAGED + 1),
    ("at_risk", None, _AT_RISK),
    ("unengaged", None, _AT_RISK + 1),
    ("never_called", _ENGAGED + 1, None),
    ("new_no_call", _ENGAGED, None),
    ("late_first_call", None, None),
    ("enrolled_this_week", None, None),
    ("engaged", None, None),
    ("unengaged", None, None),
)
DIRTY_RATE = 0.01
