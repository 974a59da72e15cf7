"""Users, their global roles, cities and city memberships."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..timeutil import utcnow
from ..workflow.security import global_roles


def normalise_email(email: str) -> str:
    """An address as stored and compared: trimmed and lower-cased."""
    return (email or "").strip().lower()


class User(UserMixin, db.Model):
    """A person who signs in: focal point, reviewer, secretariat officer or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    active: Mapped[bool] = mapped_column(default=True)
    #: Country (ISO 3166 alpha-2) and organisations a reviewer is affiliated with; used to
    #: detect conflicts of interest before assignment.
    country: Mapped[str | None] = mapped_column(sa.String(2))
    affiliations: Mapped[str] = mapped_column(sa.Text, default="")
    #: The languages (codes of config.LANGUAGES) a reviewer reads nominations in; automatic
    #: assignment keeps to them. Empty: not declared, and then the interface language
    #: (``locale``) counts, see review.operations.languages_read.
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    email_confirmed_at: Mapped[datetime | None]
    #: When the user last opened "My reviews": what came since is marked new there.
    reviews_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Sessions carry the generation they were opened in; raising it signs out every one
    #: (logout, password change or reset, "sign out everywhere").
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @validates("email")
    def _normalise_email(self, key: str, email: str) -> str:
        """Store addresses trimmed and lower-cased, whoever sets them, so that the unique
        constraint holds case-insensitively and lookups by the normalised form find them."""
        return normalise_email(email)

    def get_id(self) -> str:
        """What a session remembers of its user (flask-login): the id and the session
        generation, ``<id>:<generation>``; generation 0 is left out, so that sessions opened
        before generations existed stay valid until the first revocation."""
        generation = self.session_generation or 0
        return f"{self.id}:{generation}" if generation else str(self.id)

    @property
    def is_active(self) -> bool:  # flask-login: inactive accounts cannot sign in
        return self.active

    @property
    def global_roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def grant(self, role: str) -> None:
        """Give a role held everywhere (one that site.yaml declares)."""
        if role not in global_roles():
            raise ValueError(f"unknown global role {role!r}")
        if role not in self.global_roles:
            self.role_rows.append(UserRole(role=role))

    def revoke(self, role: str) -> None:
        self.role_rows = [row for row in self.role_rows if row.role != role]

    @property
    def affiliation_list(self) -> list[str]:
        return [a.strip() for a in self.affiliations.replace(";", "\n").splitlines() if a.strip()]


class UserRole(db.Model):
    """A global role held by a user (the roles are site.yaml's; grant() checks)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class City(db.Model):
    """A local government that nominates itself; verified by the secretariat (city.yaml)."""

    __tablename__ = "cities"
    __workflow__ = "city"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    region: Mapped[str] = mapped_column(sa.String(160), default="")
    population: Mapped[int | None]
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The city's time zone: the day its recognitions expire on is the city's.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="city", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<City {self.id} {self.name} {self.state}>"


class Membership(db.Model):
    """A user acting for a city (its focal point)."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "city_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    city: Mapped[City] = relationship(back_populates="memberships")
