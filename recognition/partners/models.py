"""Campaign partners: organisations that join the campaign, designate a focal point and
deputies, and may nominate cities and others on their behalf (partner.yaml)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..localized import LocalText, pick
from ..timeutil import utcnow
from ..workflow.security import id_list, ids, reader, reader_fact

#: The kinds of partner organisation the campaign works with (msgids in partners/labels.py).
PARTNER_KINDS = (
    "un_agency",
    "ngo",
    "academic",
    "private_sector",
    "city_network",
    "national_government",
)

#: A partner member's part: the designated campaign focal point, or one of its deputies.
MEMBER_ROLES = ("focal", "deputy")


class Partner(db.Model):
    """An organisation partnering with the campaign; verified by the secretariat."""

    __tablename__ = "partners"
    __workflow__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name per language ({language: name}); the source language's is required.
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    source_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: ISO 3166 alpha-2, or None for a global organisation.
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: What the partner offers cities, per language ({language: text}).
    offer: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: The Ten Essentials (numbers) its offer supports.
    essentials: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[PartnerMember]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="PartnerMember.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.names.get(self.source_language)!r} {self.state}>"

    def name(self, language: str | None = None) -> LocalText:
        """The name in the reader's language, else in the source language (marked)."""
        return pick(self.names, self.source_language, language)

    def offer_text(self, language: str | None = None) -> LocalText:
        return pick(self.offer, self.source_language, language)

    @property
    def focal_point(self) -> User | None:
        return next((m.user for m in self.members if m.role == "focal"), None)


class PartnerMember(db.Model):
    """A user acting for a partner: its campaign focal point or a deputy."""

    __tablename__ = "partner_members"
    __table_args__ = (sa.UniqueConstraint("partner_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default="deputy")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


reader_fact(
    "partner_ids",
    lambda user_id: id_list(PartnerMember.partner_id, PartnerMember.user_id == user_id),
    ids,
)


def partner_ids_of(user: Any) -> frozenset[int]:
    """The partners the user acts for (any state): read with the user, once per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return reader("partner_ids", user)


def partners_of(user: Any) -> list[Partner]:
    """The partners the user acts for, by name."""
    ids = partner_ids_of(user)
    if not ids:
        return []
    partners = db.session.scalars(sa.select(Partner).where(Partner.id.in_(ids))).all()
    return sorted(partners, key=lambda p: str(p.name()).casefold())
