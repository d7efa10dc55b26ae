"""Ordering gifts with points, handing them over, cancelling and refunding."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from rewards import ledger, store
from rewards.models import Gift, Order
from rewards.tasks import cancel_uncollected_orders
from tests.conftest import log_in
from volunteers.models import User
from volunteers.person import Person


def _state(app, user_id, gift_id):
    with app.app_context():
        return (
            ledger.balance(db.session, user_id),
            ledger.ledger_sum(db.session, user_id),
            db.session.get(Gift, gift_id).stock,
        )


@pytest.mark.both_databases
def test_an_order_debits_the_price_takes_one_from_stock_and_gives_a_pickup_code(
    app, client, make_user, make_gift, give_points
):
    volunteer = make_user()
    gift = make_gift(price=100, stock=3)
    give_points(volunteer, 150)
    log_in(client, volunteer)
    response = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "tap-1"})
    assert response.status_code == 201
    order = response.get_json()["order"]
    assert order["status"] == "pending" and len(order["pickup_code"]) == 8
    assert order["pickup_url"].endswith(f"/officer/desk?code={order['pickup_code']}")
    assert order["balance"] == 50
    assert _state(app, volunteer.id, gift.id) == (50, 50, 2)


def test_a_double_tap_orders_once(app, client, make_user, make_gift, give_points):
    volunteer = make_user()
    gift = make_gift(per_person_limit=3)
    give_points(volunteer, 500)
    log_in(client, volunteer)
    first = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "same"})
    second = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "same"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["order"]["id"] == second.get_json()["order"]["id"]
    assert _state(app, volunteer.id, gift.id) == (400, 400, 4)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"points": 50}, "insufficient_points"),
        ({"stock": 0}, "out_of_stock"),
        ({"retired": True}, "gift_unavailable"),
        ({"missing": True}, "gift_unavailable"),
    ],
)
def test_a_refused_order_changes_nothing(
    app, client, make_user, make_gift, give_points, setup, code
):
    volunteer = make_user()
    gift = make_gift(stock=setup.get("stock", 5), retired=setup.get("retired", False))
    give_points(volunteer, setup.get("points", 500))
    log_in(client, volunteer)
    gift_id = 99999 if setup.get("missing") else gift.id
    response = client.post(
        "/api/orders",
        json={"gift_id": gift_id, "client_key": "k"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.get_json()["error"]["code"] == code
    assert _state(app, volunteer.id, gift.id) == (
        setup.get("points", 500),
        setup.get("points", 500),
        setup.get("stock", 5),
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_per_person_limit_holds(app, client, make_user, make_gift, give_points):
    volunteer = make_user()
    gift = make_gift(per_person_limit=1)
    give_points(volunteer, 500)
    log_in(client, volunteer)
    client.post("/api/orders", json={"gift_id": gift.id, "client_key": "a"})
    again = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "b"})
    assert again.get_json()["error"]["code"] == "over_limit"
    assert _state(app, volunteer.id, gift.id) == (400, 400, 4)


def test_the_officer_hands_over_once_and_a_volunteer_cannot_use_the_desk(
    app, client, make_user, make_gift, give_points
):
    volunteer, officer = make_user(), make_user(Role.OFFICER)
    gift = make_gift()
    give_points(volunteer, 100)
    log_in(client, volunteer)
    order = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "k"}).get_json()[
        "order"
    ]
    assert client.post("/officer/desk", json={"code": order["pickup_code"]}).status_code == 403
    client.post("/logout", json={})
    log_in(client, officer)
    handed = client.post(
        "/officer/desk", json={"code": order["pickup_url"]}
    )  # a scanner types the URL
    assert handed.status_code == 200 and handed.get_json()["order"]["status"] == "collected"
    again = client.post(
        "/officer/desk",
        json={"code": order["pickup_code"].lower()},
        headers={"Accept-Language": "en"},
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "pickup_used"
    unknown = client.post("/officer/desk", json={"code": "ZZZZ2222"})
    assert unknown.get_json()["error"]["code"] == "pickup_unknown"
    assert _state(app, volunteer.id, gift.id) == (0, 0, 4)


def test_an_uncollected_order_is_cancelled_and_refunded_by_the_job_once(
    app, make_user, make_gift, give_points
):
    volunteer = make_user()
    gift = make_gift(stock=1)
    give_points(volunteer, 100)
    with app.app_context(), unit_of_work() as uow:
        user = Person.of(volunteer)
        result = store.place_order(
            uow, user, gift.id, "k", pickup_days=14, now=utcnow() - timedelta(days=15)
        )
        uow.commit()
        code = result.order.pickup_code
    assert cancel_uncollected_orders.apply().result == 1
    assert cancel_uncollected_orders.apply().result == 0
    assert _state(app, volunteer.id, gift.id) == (100, 100, 1)
    with app.app_context(), unit_of_work() as uow, pytest.raises(Conflict) as expired:
        store.hand_over(uow, user, code)
    assert expired.value.code == "pickup_expired"


def test_a_volunteer_cancels_their_own_pending_order(
    app, client, make_user, make_gift, give_points
):
    volunteer = make_user()
    gift = make_gift()
    give_points(volunteer, 100)
    log_in(client, volunteer)
    order = client.post("/api/orders", json={"gift_id": gift.id, "client_key": "k"}).get_json()[
        "order"
    ]
    assert client.post(f"/me/orders/{order['id']}/cancel", json={}).status_code == 200
    assert (
        client.post(f"/me/orders/{order['id']}/cancel", json={}).get_json()["error"]["code"]
        == "order_not_pending"
    )
    assert _state(app, volunteer.id, gift.id) == (100, 100, 5)


def test_an_officer_correction_is_a_new_entry_with_a_reason(app, client, make_user, give_points):
    volunteer, officer = make_user(), make_user(Role.OFFICER)
    give_points(volunteer, 30)
    log_in(client, officer)
    missing_reason = client.post("/api/corrections", json={"user_id": volunteer.id, "delta": -10})
    assert missing_reason.get_json()["error"]["field"] == "note"
    fixed = client.post(
        "/api/corrections",
        json={"user_id": volunteer.id, "delta": -10, "note": "重复计分", "key": "fix-1"},
    )
    assert fixed.status_code == 201 and fixed.get_json()["balance"] == 20
    too_much = client.post(
        "/api/corrections",
        json={"user_id": volunteer.id, "delta": -50, "note": "多扣了分", "key": "fix-2"},
    )
    assert too_much.get_json()["error"]["code"] == "insufficient_points"
    with app.app_context():
        assert ledger.ledger_sum(db.session, volunteer.id) == 20


def _race(count, work):
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def run(i):
        barrier.wait()
        try:
            outcome = work(i)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _order(app, user_id, gift_id, key):
    with app.app_context(), unit_of_work() as uow:
        result = store.place_order(
            uow, Person.of(uow.session.get_one(User, user_id)), gift_id, key, pickup_days=14
        )
        uow.commit()
        return result


@pytest.mark.both_databases
def test_fifty_people_ordering_the_last_item_at_once_only_one_gets_it(
    app, make_user, make_gift, give_points
):
    gift = make_gift(stock=1, price=10)
    people = [make_user() for _ in range(50)]
    for person in people:
        give_points(person, 10)
    results = _race(50, lambda i: _order(app, people[i].id, gift.id, f"k{i}"))
    won = [r for r in results if isinstance(r, store.OrderResult)]
    lost = [r for r in results if not isinstance(r, store.OrderResult)]
    assert len(won) == 1 and len(lost) == 49, {type(r).__name__ for r in lost}
    assert {r.code for r in lost} == {"out_of_stock"}
    with app.app_context():
        assert db.session.get(Gift, gift.id).stock == 0
        assert sum(ledger.balance(db.session, p.id) for p in people) == 49 * 10


@pytest.mark.both_databases
def test_twenty_orders_spending_one_balance_at_once_never_go_negative(
    app, make_user, make_gift, give_points
):
    gift = make_gift(stock=100, price=30, per_person_limit=100)
    volunteer = make_user()
    give_points(volunteer, 100)
    results = _race(20, lambda i: _order(app, volunteer.id, gift.id, f"k{i}"))
    won = [r for r in results if isinstance(r, store.OrderResult)]
    assert len(won) == 3
    assert {r.code for r in results if not isinstance(r, store.OrderResult)} == {
        "insufficient_points"
    }
    assert _state(app, volunteer.id, gift.id) == (10, 10, 97)
