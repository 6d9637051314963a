"""Each level of the chain waits the ``escalate_after`` of the owner notified before it, never its own:
an owner with a slow escalation (Setda, 30 minutes) must not delay the hand-over from a quick one
(BPBD, 5 minutes), and vice versa."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.alerts.helpers import River
from wallboard.alerts.service import AlertService

T0 = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)


def test_level_two_waits_the_first_owners_escalate_after_not_its_own(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="5m", next_escalate_after="30m",
                  alerts="{min_duration: null}")
    service = AlertService(river.store, lambda: river.config)
    try:
        river.run(T0, {"12.75": 400})
        assert [k for k, _ in service.evaluate(T0)] == ["opened"]
        assert service.escalate(T0 + timedelta(minutes=4)) == []
        assert [m[1:] for m in service.escalate(T0 + timedelta(minutes=5))] == [("BPBD", 1)]
        # BPBD was told at 5 min and did nothing: Setda is told BPBD's 5 minutes later, not 30.
        assert service.escalate(T0 + timedelta(minutes=9)) == []
        assert [m[1:] for m in service.escalate(T0 + timedelta(minutes=10))] == [("Setda", 2)]
    finally:
        river.close()


def test_a_slow_first_owner_holds_level_two_back(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="30m", next_escalate_after="5m",
                  alerts="{min_duration: null}")
    service = AlertService(river.store, lambda: river.config)
    try:
        river.run(T0, {"12.75": 400})
        service.evaluate(T0)
        assert [m[1:] for m in service.escalate(T0 + timedelta(minutes=30))] == [("BPBD", 1)]
        assert service.escalate(T0 + timedelta(minutes=59)) == []  # Setda's own 5 minutes do not count
        assert [m[1:] for m in service.escalate(T0 + timedelta(minutes=60))] == [("Setda", 2)]
    finally:
        river.close()
