"""A stateful property test: after any sequence of awards, orders, hand-overs, cancellations and
corrections, every balance equals the sum of its ledger entries (and is never negative), and
stock equals the initial stock minus the orders collected or still pending."""

from __future__ import annotations

import itertools
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from rewards import corrections, ledger, store
from rewards.models import Gift, Order
from volunteers.models import User
from volunteers.person import Person

INITIAL_STOCK = 4
# Every correction paid at once, however many: the cap and approvals have tests of their own.
RULES = corrections.Rules(daily_cap=10**9, approval_above=10**6, tz=ZoneInfo("Asia/Shanghai"))


def test_balances_and_stock_stay_consistent_under_any_sequence(app, make_user, make_gift):
    people = [make_user() for _ in range(3)]
    officer = make_user(Role.OFFICER)
    keys = itertools.count()

    class Store(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.gift = make_gift(stock=INITIAL_STOCK, price=40, per_person_limit=3).id

        def _run(self, work) -> None:
            with app.app_context(), unit_of_work() as uow:
                try:
                    work(uow)
                    uow.commit()
                except DomainError:
                    pass  # a refusal is part of the game; it must leave no trace

        @rule(person=st.integers(0, 2), points=st.integers(1, 120))
        def award(self, person, points):
            self._run(
                lambda uow: ledger.award(
                    uow,
                    user_id=people[person].id,
                    delta=points,
                    reason="officer_award",
                    source_type="t",
                    source_id=f"a{next(keys)}",
                )
            )

        @rule(person=st.integers(0, 2))
        def order(self, person):
            self._run(
                lambda uow: store.place_order(
                    uow,
                    Person.of(uow.session.get_one(User, people[person].id)),
                    self.gift,
                    f"o{next(keys)}",
                    pickup_days=14,
                )
            )

        @rule(pick=st.integers(0, 50))
        def hand_over(self, pick):
            code = self._order_code(pick)  # read before the writing unit of work begins
            self._run(lambda uow: store.hand_over(uow, Person.of(officer), code))

        @rule(pick=st.integers(0, 50))
        def cancel(self, pick):
            order_id = self._order_id(pick)
            self._run(lambda uow: store.cancel(uow, order_id))

        @rule(person=st.integers(0, 2), delta=st.integers(-80, 80).filter(bool))
        def correct(self, person, delta):
            self._run(
                lambda uow: corrections.request(
                    uow,
                    Person.of(officer),
                    user_id=people[person].id,
                    delta=delta,
                    reason="核对积分",
                    key=f"c{next(keys)}",
                    rules=RULES,
                )
            )

        def _orders(self):
            with app.app_context():
                return db.session.execute(
                    select(Order.id, Order.pickup_code)
                    .where(Order.gift_id == self.gift)
                    .order_by(Order.id)
                ).all()

        def _order_id(self, pick):
            rows = self._orders()
            return rows[pick % len(rows)][0] if rows else -1

        def _order_code(self, pick):
            rows = self._orders()
            return rows[pick % len(rows)][1] if rows else "NONE"

        @invariant()
        def balances_equal_the_ledger(self):
            with app.app_context():
                for person in people:
                    balance = ledger.balance(db.session, person.id)
                    assert balance == ledger.ledger_sum(db.session, person.id) >= 0

        @invariant()
        def stock_matches_the_orders(self):
            with app.app_context():
                held = db.session.scalar(
                    select(func.count())
                    .select_from(Order)
                    .where(Order.gift_id == self.gift, Order.status != "cancelled")
                )
                assert db.session.get(Gift, self.gift).stock == INITIAL_STOCK - held

    run_state_machine_as_test(
        Store, settings=settings(max_examples=25, stateful_step_count=20, deadline=None)
    )
