"""The check-in policy is built once per distinct settings and follows them when they change."""

from __future__ import annotations

from checkins.policy import current_policy, signing_key


def test_the_policy_is_shared_until_a_setting_changes(app):
    with app.app_context():
        first = current_policy()
        assert current_policy() is first
        app.config["CHECKIN_DAILY_CAP"] = first.thresholds.daily_cap + 5
        changed = current_policy()
        assert changed is not first
        assert changed.thresholds.daily_cap == first.thresholds.daily_cap + 5
        app.config["STREAK_BONUS_POINTS"] = {**app.config["STREAK_BONUS_POINTS"], "99": 7}
        assert current_policy().streak_bonuses[99] == 7


def test_the_signing_key_follows_the_secret(app):
    with app.app_context():
        before = signing_key()
        assert current_policy().signing_key == before
        app.config["QR_SIGNING_KEY"] = "another poster key"
        assert signing_key() != before
        assert current_policy().signing_key == signing_key()
