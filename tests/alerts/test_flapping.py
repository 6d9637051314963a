"""A value flapping around its threshold does not open an alert a minute (min_duration, hysteresis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.alerts.helpers import River
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.store import schema

T0 = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)


def test_crossings_shorter_than_min_duration_open_nothing(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: 2m}")
    service = AlertService(river.store, lambda: river.config)
    try:
        for minute in range(12):  # critical one minute, normal the next, for twelve minutes
            when = T0 + timedelta(minutes=minute)
            river.run(when, {"12.75.01": 330 if minute % 2 == 0 else 200})
            assert service.evaluate(when) == []
        with river.store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema.alerts)).scalar() == 0
        # Held for 2 minutes it does open: the guard delays, it does not hide.
        for minute in (12, 13, 14):
            river.run(T0 + timedelta(minutes=minute), {"12.75.01": 330})
            service.evaluate(T0 + timedelta(minutes=minute))
        assert len(AlertRepo(river.store.engine).open_alerts()) == 2  # the city and kecamatan 01
    finally:
        service.stop()
        river.close()


def test_an_open_alert_survives_dips_shorter_than_min_duration(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: 2m}")
    service = AlertService(river.store, lambda: river.config)
    repo = AlertRepo(river.store.engine)
    try:
        for minute in range(3):
            river.run(T0 + timedelta(minutes=minute), {"12.75.01": 330})
            service.evaluate(T0 + timedelta(minutes=minute))
        first = {a.id for a in repo.open_alerts()}
        assert len(first) == 2
        for minute in range(3, 13):
            when = T0 + timedelta(minutes=minute)
            river.run(when, {"12.75.01": 200 if minute % 2 else 330})
            service.evaluate(when)
        assert {a.id for a in repo.open_alerts()} == first  # the same alerts, never closed and reopened
    finally:
        service.stop()
        river.close()


def test_hysteresis_holds_a_level_until_the_value_moves_back_past_it(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null, hysteresis: 0.05}")
    service = AlertService(river.store, lambda: river.config)
    repo = AlertRepo(river.store.engine)
    try:
        steps = [(330, "critical"), (315, "critical"), (325, "critical"), (300, "warning"), (245, "warning")]
        for minute, (value, expected) in enumerate(steps):
            river.run(T0 + timedelta(minutes=minute), {"12.75": value})
            service.evaluate(T0 + timedelta(minutes=minute))
            (alert,) = repo.open_alerts()
            assert alert.state == expected, (value, alert.state)
        river.run(T0 + timedelta(minutes=9), {"12.75": 230})
        assert [k for k, _ in service.evaluate(T0 + timedelta(minutes=9))] == ["closed"]
        e = schema.alert_events
        with river.store.engine.connect() as conn:
            assert [k for (k,) in conn.execute(select(e.c.kind).order_by(e.c.id))] == ["opened", "lowered", "closed"]
    finally:
        service.stop()
        river.close()


def test_a_pending_alert_opens_when_a_reload_removes_min_duration(tmp_path) -> None:
    """Pending under ``min_duration: 2m``, then the admin removes the guard: the crossing opens at
    the next evaluation (it used to raise on every pass until the value went back)."""
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: 2m}")
    config = {"now": river.config}
    service = AlertService(river.store, lambda: config["now"])
    repo = AlertRepo(river.store.engine)
    try:
        river.run(T0, {"12.75.01": 330})
        assert service.evaluate(T0) == [] and repo.open_alerts() == []  # pending, not open
        unguarded = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
        unguarded.close()
        config["now"] = unguarded.config
        opened = service.evaluate(T0 + timedelta(seconds=5))
        assert [kind for kind, _ in opened] == ["opened", "opened"]  # the city and kecamatan 01
        assert len(repo.open_alerts()) == 2
    finally:
        service.stop()
        river.close()
