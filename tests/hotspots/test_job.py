"""The analysis job on SQLite and PostgreSQL: it compares the methods forward in time, stores
the run with its heat grid, proposes patrol points, and a second run expires the first's
undecided proposals."""

from __future__ import annotations

import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.celery_app import BEAT_SCHEDULE
from app.errors import Conflict
from app.extensions import db
from app.uow import unit_of_work
from checkins.models import PatrolPoint
from hotspots import proposals, tasks
from hotspots.models import HotspotProposal, HotspotRun
from realtime.models import Incident
from volunteers.areas import areas_of
from volunteers.models import User
from volunteers.person import Person

pytestmark = pytest.mark.both_databases


def test_a_run_compares_the_methods_and_proposes_points(app, backend, area, analysed) -> None:
    with app.app_context():
        run = db.session.get_one(HotspotRun, analysed)
        assert run.events == 400
        assert set(run.scores) == {"naive", "kde", "gistar", "hdbscan"}
        assert run.chosen in ("kde", "gistar", "hdbscan")
        assert run.scores[run.chosen] == max(v for k, v in run.scores.items() if k != "naive")
        assert run.heat and max(w for _lat, _lon, w in run.heat) == 1.0
        proposals = db.session.scalars(select(HotspotProposal)).all()
        assert 1 <= len(proposals) <= 5
        for p in proposals:
            assert p.status == "proposed" and p.run_id == run.id
            assert 10 <= p.stop_minutes <= 15
            assert (p.ends_on - run.ran_at.date()).days in (27, 28, 29)
            assert p.police_area_id == area["police_area_id"]


def test_a_second_run_expires_the_first_runs_proposals(app, backend, area, analysed) -> None:
    second = tasks.run_area(area["police_area_id"])
    with app.app_context():
        rows = db.session.scalars(select(HotspotProposal)).all()
        assert {p.status for p in rows if p.run_id == analysed} == {"expired"}
        assert {p.status for p in rows if p.run_id == second} == {"proposed"}


def test_the_nightly_job_runs_every_area_and_one_with_too_little_says_so(
    app, backend, area, second_area, planted_events
) -> None:
    assert tasks.run_nightly() == 2
    with app.app_context():
        runs = {r.police_area_id: r for r in db.session.scalars(select(HotspotRun))}
        assert runs[area["police_area_id"]].chosen in ("kde", "gistar", "hdbscan")
        quiet = runs[second_area["police_area_id"]]
        assert (quiet.chosen, quiet.events, quiet.scores, quiet.heat) == ("none", 0, {}, [])
    assert BEAT_SCHEDULE["find-hotspots-nightly"]["task"] == tasks.run_nightly.name


def test_another_areas_events_do_not_count(app, backend, area, second_area, officer) -> None:
    with app.app_context(), unit_of_work() as uow:
        for i in range(30):
            uow.session.add(
                Incident(kind="theft", lat=33.41, lon=120.16 + i * 1e-5, created_by_id=officer.id,
                         police_area_id=second_area["police_area_id"])
            )  # fmt: skip
        uow.commit()
    tasks.run_area(area["police_area_id"])
    with app.app_context():
        assert db.session.scalars(select(HotspotRun)).one().events == 0


def test_no_proposal_where_an_active_hotspot_point_stands(app, backend, area, planted_events):
    """An accepted (or hand-set) hotspot point covers its spot; a plain patrol point does not."""
    first = tasks.run_area(area["police_area_id"])
    with app.app_context(), unit_of_work() as uow:
        covered, plain = uow.session.scalars(
            select(HotspotProposal)
            .where(HotspotProposal.run_id == first)
            .order_by(HotspotProposal.id)
        ).all()[:2]
        for spot, hotspot in ((covered, True), (plain, False)):
            uow.session.add(
                PatrolPoint(name="已有", lat=spot.lat, lon=spot.lon, hotspot=hotspot,
                            grid_id=area["grid_ids"][0])
            )  # fmt: skip
        uow.commit()
        places = {(covered.lat, covered.lon), (plain.lat, plain.lon)}
    second = tasks.run_area(area["police_area_id"])
    with app.app_context():
        again = db.session.scalars(
            select(HotspotProposal).where(HotspotProposal.run_id == second)
        ).all()
        found = {(p.lat, p.lon) for p in again} & places
        assert found == {(plain.lat, plain.lon)}


def test_officers_accepting_one_proposal_at_once_make_one_point(
    app, backend, area, officer, analysed
) -> None:
    """Eight accepts racing (double clicks, two officers): one point, seven 409s."""
    count = 8
    with app.app_context():
        proposal_id = db.session.scalars(select(HotspotProposal.id)).first()
        before = db.session.scalar(select(func.count()).select_from(PatrolPoint))
    barrier, lock, outcomes = threading.Barrier(count), threading.Lock(), []

    def accept() -> None:
        barrier.wait()
        with app.app_context(), unit_of_work() as uow:
            try:
                person = Person.of(uow.session.get_one(User, officer.id))
                areas = areas_of(uow.session, person)
                proposals.accept(uow, person, proposal_id, areas, ZoneInfo("Asia/Shanghai"))
                uow.commit()
                outcome: object = "made"
            except Conflict as exc:
                outcome = exc.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=accept) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["made"] + ["proposal_decided"] * (count - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PatrolPoint)) == before + 1
