"""Operations endpoints: /healthz stays, /readyz names what is down, /metrics is not public,
and every request carries an id into its answer and its log lines."""

from __future__ import annotations

import io
import json
import logging
import shutil

from prometheus_client.parser import text_string_to_metric_families

from app import create_app, request_log
from app.extensions import db
from tests.conftest import _settings


def _samples(client, **kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.status_code
    assert answer.content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for s in family.samples
    }


def test_healthz_still_answers_as_wanjia_doctor_expects(client):
    answer = client.get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})


def test_readyz_is_200_when_the_database_answers_and_no_redis_is_configured(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "failed": [], "checks": {"database": "ok"}}


def test_readyz_is_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    app = create_app(
        _settings(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"), str(tmp_path)
    )
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("unreachable (")
    assert "nobody" not in answer.get_data(as_text=True)  # no connection details leak


def test_metrics_answer_loopback_callers_that_came_straight(client):
    client.get("/healthz")
    samples = _samples(client)
    assert samples[("wanjia_request_seconds_count", (("endpoint", "web.health"),))] >= 1
    assert ("wanjia_task_queue_lag_seconds", ()) in samples  # the embedded broker's folder


def test_metrics_count_the_database_connections_in_use_and_idle(app, client):
    assert client.get("/readyz").status_code == 200  # reads the database, then gives it back
    samples = _samples(client)
    in_use = samples[("wanjia_db_connections", (("state", "in_use"),))]
    idle = samples[("wanjia_db_connections", (("state", "idle"),))]
    assert in_use == 0 and idle >= 1
    with app.app_context(), db.engine.connect():
        held = _samples(client)
    assert held[("wanjia_db_connections", (("state", "in_use"),))] == 1


def test_metrics_are_a_404_through_a_proxy_or_from_elsewhere(client):
    forwarded = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert forwarded.status_code == remote.status_code == 404
    assert b"wanjia_" not in forwarded.data + remote.data


def test_a_configured_token_opens_metrics_to_a_remote_scraper(app):
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    client = app.test_client()
    elsewhere = {"REMOTE_ADDR": "10.1.2.3"}
    right = {"Authorization": "Bearer s3cret-scrape-token"}
    assert client.get("/metrics", headers=right, environ_base=elsewhere).status_code == 200
    wrong = {"Authorization": "Bearer guessed"}
    assert client.get("/metrics", headers=wrong, environ_base=elsewhere).status_code == 404
    assert client.get("/metrics", environ_base=elsewhere).status_code == 404


def test_unknown_paths_share_one_latency_label(client):
    client.get("/no/such/page/12345")
    samples = _samples(client)
    assert samples[("wanjia_request_seconds_count", (("endpoint", "unmatched"),))] >= 1
    assert not any("12345" in str(labels) for _name, labels in samples)


def test_a_sane_incoming_request_id_is_kept_and_echoed(client):
    answer = client.get("/healthz", headers={"X-Request-Id": "nginx-7f3a9c2e01"})
    assert answer.headers["X-Request-Id"] == "nginx-7f3a9c2e01"


def test_a_missing_or_odd_request_id_is_replaced_by_a_made_one(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"})
    short = client.get("/healthz", headers={"X-Request-Id": "a"})
    for answer_id in (made, odd.headers["X-Request-Id"], short.headers["X-Request-Id"]):
        assert len(answer_id) == 32 and int(answer_id, 16) >= 0
    assert len({made, odd.headers["X-Request-Id"], short.headers["X-Request-Id"]}) == 3


def test_every_log_line_of_a_request_carries_its_id_as_json(tmp_path, sqlite_template):
    """With WANJIA_LOG_JSON=1 the root handler writes JSON lines with the request's id."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        shutil.copy(sqlite_template, tmp_path / "wanjia.db")
        app = create_app(
            _settings(DATABASE_URL=f"sqlite:///{tmp_path / 'wanjia.db'}", LOG_JSON=1),
            str(tmp_path),
        )
        assert isinstance(handler.formatter, request_log.JsonFormatter)

        @app.get("/_log_probe")
        def probe() -> str:
            logging.getLogger("wanjia.probe").warning("looked at %s", "逐个车门")
            logging.getLogger("wanjia.probe").warning("and again")
            return "ok"

        answer = app.test_client().get("/_log_probe", headers={"X-Request-Id": "req-0001-abcd"})
        logging.getLogger("wanjia.probe").warning("outside any request")
    finally:
        root.removeHandler(handler)
    assert answer.headers["X-Request-Id"] == "req-0001-abcd"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    probe_lines = [line for line in lines if line["logger"] == "wanjia.probe"]
    assert [(line["request_id"], line["message"]) for line in probe_lines] == [
        ("req-0001-abcd", "looked at 逐个车门"),
        ("req-0001-abcd", "and again"),
        ("-", "outside any request"),
    ]
    assert probe_lines[0]["level"] == "WARNING" and probe_lines[0]["time"].endswith("+00:00")


def test_plain_log_lines_name_the_request_id_too():
    record = logging.LogRecord("wanjia", logging.INFO, __file__, 1, "hello", None, None)
    request_log.RequestIdFilter().filter(record)
    assert "[-]: hello" in request_log.formatter(json_lines=False).format(record)
