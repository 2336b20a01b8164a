"""Officers, their certificates and the certificates' lifecycle events.

Revision ID: 0003_officers
Revises: 0002_ledger
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_officers"
down_revision = "0002_ledger"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("employment_type", sa.String(20), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("qualification_number", sa.String(40), nullable=True),
        sa.Column("qualification_date", sa.Date(), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(40), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_officers_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_officers_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("user_id", name=op.f("uq_officers_user_id")),
    )
    op.create_index(op.f("ix_officers_agency_id"), "officers", ["agency_id"])
    op.create_index(op.f("ix_officers_id_number"), "officers", ["id_number"])

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("issuer", sa.String(80), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("area_code", sa.String(6), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("public_token", sa.String(43), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"],
                                name=op.f("fk_certificates_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
        sa.UniqueConstraint("public_token", name=op.f("uq_certificates_public_token")),
    )
    op.create_index(op.f("ix_certificates_officer_id"), "certificates", ["officer_id"])

    op.create_table(
        "certificate_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("reason_type", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"],
                                name=op.f("fk_certificate_events_certificate_id_certificates")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_certificate_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_events")),
    )
    op.create_index(op.f("ix_certificate_events_certificate_id"), "certificate_events", ["certificate_id"])


def downgrade():
    op.drop_index(op.f("ix_certificate_events_certificate_id"), table_name="certificate_events")
    op.drop_table("certificate_events")
    op.drop_index(op.f("ix_certificates_officer_id"), table_name="certificates")
    op.drop_table("certificates")
    op.drop_index(op.f("ix_officers_id_number"), table_name="officers")
    op.drop_index(op.f("ix_officers_agency_id"), table_name="officers")
    op.drop_table("officers")
