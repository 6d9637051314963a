"""Alerts: opened from the store after every collector run, acknowledged at the console, escalated to
the owning work unit (OPD) over webhook, e-mail and Telegram, replayed and reported.

Modules: ``config`` (the ``owners:``, ``alerts:`` and ``notify:`` models), ``repo`` (the alert
tables' SQL), ``evaluate`` (states, hysteresis, minimum duration), ``incidents`` (one event of
one indicator across its regions, acknowledged and escalated at once), ``messages`` (what an
owner receives: one message per incident), ``channels`` (the real clients),
``service`` (evaluation thread, escalation job, delivery pool), ``wall`` (the alert line on a panel),
``daily`` (the daily report's figures) and ``report`` (its Excel layout).
"""
