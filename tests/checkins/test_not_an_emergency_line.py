"""Every page where a person reports something says emergencies go to 110, with a tap-to-call
link: the check-in a poster opens, the patrol page that answers dispatches, the home page."""

from __future__ import annotations

import re

import pytest

TAP_TO_CALL = re.compile(r'<a [^>]*href="tel:110"[^>]*>\s*110\s*</a>')


@pytest.mark.parametrize("page", ["scan", "field", "home"])
def test_the_page_says_emergencies_go_to_110_with_a_tap_to_call_link(
    client, logged_in, make_point, token_for, page
):
    logged_in("guard")
    path = {"scan": f"/c/{token_for(make_point())}", "field": "/field", "home": "/"}[page]
    response = client.get(path, headers={"Accept-Language": "zh-CN"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert TAP_TO_CALL.search(html), f"no tap-to-call 110 link on {path}"
    assert "本平台不是报警电话。紧急情况请拨打" in html
