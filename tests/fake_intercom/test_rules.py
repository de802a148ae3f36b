"""The rules of the fake's ground truth are the dbt project's: read from its vars and seeds, so
changing one there changes what the generator's manifest and the tests' oracle expect."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from fake_intercom.generator import catalog
from fake_intercom.rules import DBT_PROJECT, load_rules


def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt_project"
    copy.mkdir()
    shutil.copy(DBT_PROJECT / "dbt_project.yml", copy)
    shutil.copytree(DBT_PROJECT / "seeds", copy / "seeds")
    return copy


def test_a_changed_var_or_seed_changes_the_rules(tmp_path):
    project = project_copy(tmp_path)
    settings = project / "dbt_project.yml"
    settings.write_text(
        settings.read_text()
        .replace("engaged_days: 28", "engaged_days: 30")
        .replace("program_timezone: America/New_York", "program_timezone: America/Chicago")
    )
    with (project / "seeds" / "referral_programs.csv").open("a") as seed:
        seed.write("Website,Web Coaching\n")
    with (project / "seeds" / "channels.csv").open("a") as seed:
        seed.write("SMS,true,false,false\n")
    as_of = date(2026, 6, 15)
    shipped, changed = load_rules(), load_rules(project)
    assert (shipped.engaged_days, changed.engaged_days) == (28, 30)
    assert changed.timezone.key == "America/Chicago"
    assert shipped.engagement_status(date(2026, 1, 1), date(2026, 5, 16), as_of) == "At Risk"
    assert changed.engagement_status(date(2026, 1, 1), date(2026, 5, 16), as_of) == "Engaged"
    assert shipped.eligible_programs("Website", None) is None
    assert changed.eligible_programs("Website", "Diabetes Prevention") == (
        "Diabetes Prevention; Web Coaching"
    )
    sms = {"id": "1", "state": "closed", "created_at": 1, "statistics": {"last_close_at": 2}}
    sms["custom_attributes"] = {"Channel": " SMS "}
    assert not shipped.activity(sms).is_coaching_session
    assert changed.activity(sms).is_coaching_session


def test_the_generators_named_values_are_seed_values():
    rules = load_rules()
    assert {catalog.PHONE, catalog.EMAIL, catalog.CHAT} <= set(rules.channel_names)
    for code in (catalog.TECH_SUPPORT, catalog.BENEFITS_QUESTION):
        assert rules.service_codes[code] is False
    assert catalog.TEST_EMPLOYER in rules.test_employers
    referrals = {name for name, _ in catalog.REFERRALS}
    assert referrals & set(rules.referral_programs), "no generated Referral maps to a program"
    assert set(catalog.ATTRIBUTE_DESCRIPTIONS) == {a.name for a in rules.attributes}
    assert set(catalog.TOPICS) == set(rules.service_codes)
