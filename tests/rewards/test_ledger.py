"""The points ledger: append-only, idempotent, never negative, even under real concurrency."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.uow import unit_of_work
from rewards import ledger
from rewards.models import LedgerEntry


def _award(app, user_id, delta, key=None, source_id="s1", reason="checkin"):
    with app.app_context(), unit_of_work() as uow:
        result = ledger.award(
            uow,
            user_id=user_id,
            delta=delta,
            reason=reason,
            source_type="test",
            source_id=source_id,
            key=key,
        )
        uow.commit()
        return result


def _balance_and_sum(app, user_id):
    with app.app_context():
        return ledger.balance(db.session, user_id), ledger.ledger_sum(db.session, user_id)


@pytest.mark.both_databases
def test_an_award_is_paid_once_per_key(app, make_user):
    user = make_user()
    first = _award(app, user.id, 10, key="k1")
    again = _award(app, user.id, 10, key="k1")
    assert (first.replayed, again.replayed) == (False, True)
    assert first.entry_id == again.entry_id
    assert _balance_and_sum(app, user.id) == (10, 10)


@pytest.mark.both_databases
def test_the_same_key_with_a_different_request_is_a_conflict(app, make_user):
    user = make_user()
    _award(app, user.id, 10, key="k1")
    with pytest.raises(Conflict) as caught:
        _award(app, user.id, 99, key="k1")
    assert caught.value.code == "idempotency_mismatch"
    assert _balance_and_sum(app, user.id) == (10, 10)


@pytest.mark.both_databases
def test_one_source_pays_one_reason_once_even_under_another_key(app, make_user):
    user = make_user()
    _award(app, user.id, 10, key="a", source_id="checkin-7")
    with pytest.raises(Conflict):
        _award(app, user.id, 10, key="b", source_id="checkin-7")
    assert _balance_and_sum(app, user.id) == (10, 10)


@pytest.mark.both_databases
def test_spending_more_than_the_balance_is_refused_and_leaves_no_entry(app, make_user):
    user = make_user()
    _award(app, user.id, 10, source_id="earn")
    with pytest.raises(Conflict) as caught:
        _award(app, user.id, -11, source_id="spend", reason="redemption")
    assert caught.value.code == "insufficient_points"
    assert _balance_and_sum(app, user.id) == (10, 10)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def _race(app, count, work):
    barrier = threading.Barrier(count)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(i):
        barrier.wait()
        try:
            result = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.both_databases
def test_twenty_concurrent_spends_never_take_the_balance_below_zero(app, make_user):
    user = make_user()
    _award(app, user.id, 100, source_id="earn")
    outcomes = _race(
        app, 20, lambda i: _award(app, user.id, -30, source_id=f"spend-{i}", reason="redemption")
    )
    spent = [o for o in outcomes if isinstance(o, ledger.AwardResult)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(spent) == 3 and len(refused) == 17, outcomes
    assert {o.code for o in refused} == {"insufficient_points"}
    assert _balance_and_sum(app, user.id) == (10, 10)


@pytest.mark.both_databases
def test_the_same_award_sent_concurrently_pays_once(app, make_user):
    user = make_user()
    outcomes = _race(app, 8, lambda i: _award(app, user.id, 10, key="same-tap"))
    assert all(isinstance(o, ledger.AwardResult) for o in outcomes), outcomes
    assert sum(not o.replayed for o in outcomes) == 1
    assert _balance_and_sum(app, user.id) == (10, 10)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(deltas=st.lists(st.integers(min_value=-50, max_value=50).filter(bool), max_size=25))
def test_after_any_sequence_the_balance_equals_the_sum_and_is_never_negative(
    app, make_user, deltas
):
    user = make_user()
    expected = 0
    for i, delta in enumerate(deltas):
        try:
            _award(app, user.id, delta, source_id=f"op-{user.id}-{i}")
        except Conflict:
            assert expected + delta < 0
        else:
            expected += delta
        balance, total = _balance_and_sum(app, user.id)
        assert balance == total == expected >= 0
