"""Forecasts: BMKG's weather per kecamatan and 3-hour step, kept apart from observed readings.

Revision ID: 0009
Revises: 0008 (sessions; chained after the incidents and sessions migrations when the branches met)
Create Date: 2026-12-02

``bmkg_cuaca`` stores what BMKG expects (temperature, humidity, rain, wind, weather code and text)
with the time the forecast was issued and the moment it is for. A separate table, not readings: a
trend of measured figures must never draw a prediction, and a newer issue replaces the older one
step by step (one row per source, kecamatan and valid time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "forecasts" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "forecasts",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("valid", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("humidity", sa.Float(), nullable=True),
        sa.Column("rain", sa.Float(), nullable=True),
        sa.Column("wind_speed", sa.Float(), nullable=True),
        sa.Column("wind_dir", sa.String(length=8), nullable=False),
        sa.Column("weather", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=120), nullable=False),
        sa.Column("text_en", sa.String(length=120), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "region", "valid"),
    )


def downgrade() -> None:
    op.drop_table("forecasts")
