"""`wanjia run` and `wanjia setup-link` print the one-time set-up link while no station exists,
at the public URL, so it opens from another machine on the network."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import main as wanjia
from app.uow import unit_of_work
from volunteers import setup
from volunteers.admin_areas import AreaDetails

PUBLIC = "https://192.168.1.20:5000"
LINK = re.compile(r"(\S+)/setup/(\S+)")


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WANJIA_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    from app import serving

    monkeypatch.setattr(serving, "serve", lambda *_: None)  # up to the point it would serve
    return tmp_path


def _printed_link(output: str) -> tuple[str, str]:
    found = LINK.search(output)
    assert found, output
    return found.group(1), f"/setup/{found.group(2)}"


def test_run_prints_a_set_up_link_at_the_public_url_that_works(instance, monkeypatch):
    monkeypatch.setenv("WANJIA_PUBLIC_URL", PUBLIC)
    result = CliRunner().invoke(wanjia, ["run", "--no-worker", "--no-tls"])
    assert result.exit_code == 0, result.output
    base, path = _printed_link(result.output)
    assert base == PUBLIC
    client = create_app(instance_path=str(instance)).test_client()
    assert client.get(path).status_code == 200


def test_without_a_public_url_run_prints_the_address_it_listens_on(instance):
    result = CliRunner().invoke(wanjia, ["run", "--no-worker", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert _printed_link(result.output)[0] == "http://127.0.0.1:5123"


def test_setup_link_prints_a_fresh_link_until_the_server_is_set_up(instance, monkeypatch):
    monkeypatch.setenv("WANJIA_PUBLIC_URL", PUBLIC)
    runner = CliRunner()
    first = runner.invoke(wanjia, ["setup-link"])
    assert first.exit_code == 0, first.output
    base, path = _printed_link(first.output)
    assert base == PUBLIC
    app = create_app(instance_path=str(instance))
    assert app.test_client().get(path).status_code == 200
    with app.app_context(), unit_of_work() as uow:
        setup.set_up(
            uow,
            name="马所长",
            phone="13900007777",
            password="Ma-2026-anquan-shouwei",
            station_name="城西派出所",
            station_phone="0515-86660000",
            areas=[AreaDetails("西湖警务区", "", "0515-86660110", "Asia/Shanghai")],
        )
        uow.commit()
    assert app.test_client().get(path).status_code == 409

    refused = runner.invoke(wanjia, ["setup-link"])
    assert refused.exit_code != 0 and "already set up" in refused.output
    served = runner.invoke(wanjia, ["run", "--no-worker"])
    assert served.exit_code == 0 and "/setup/" not in served.output


def test_no_link_is_printed_when_serving_the_demo(instance):
    result = CliRunner().invoke(wanjia, ["run", "--no-worker", "--demo"])
    assert result.exit_code == 0, result.output
    assert "/setup/" not in result.output
