"""Who may do what: roles_for(user, obj), can(user, permission, obj), require(permission, obj).

Role names are read here and in the YAML definitions only. A user's roles on an object are
the built-in ``anonymous``/``authenticated``, the user's global roles (secretariat, admin,
reviewer) and the local roles that registered providers grant on that object (``owner``:
a member of the nominating city; ``assigned_reviewer``: an accepted assignment, ...).
Permissions come from the state the object is in, as DCWorkflow's permission maps do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, g, has_request_context
from flask_login import current_user

from ..extensions import db
from .registry import definition_for


@dataclass(frozen=True)
class LocalRole:
    """A role granted on objects of one type by their relation to the user."""

    name: str
    applies_to: str
    has: Callable[[Any, Any], bool]
    #: clause(user) -> SQL condition selecting the objects on which the user holds the role.
    clause: Callable[[Any], Any] | None = None
    #: users(obj) -> SELECT of the users holding the role on obj (for notifications).
    users: Callable[[Any], Any] | None = None
    #: users_each(ids) -> SELECT of (user, object id) for the objects of those ids (for a
    #: bulk action's notifications; without it, ``users`` object by object).
    users_each: Callable[[list[int]], Any] | None = None


_local_roles: dict[str, list[LocalRole]] = {}


def local_role(
    name: str,
    applies_to: str,
    *,
    clause: Callable[[Any], Any] | None = None,
    users: Callable[[Any], Any] | None = None,
    users_each: Callable[[list[int]], Any] | None = None,
) -> Callable[[Callable[[Any, Any], bool]], Callable[[Any, Any], bool]]:
    """Register ``has(user, obj) -> bool`` as the provider of local role ``name``."""

    def register(has: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
        providers = _local_roles.setdefault(applies_to, [])
        providers[:] = [p for p in providers if p.name != name]
        providers.append(LocalRole(name, applies_to, has, clause, users, users_each))
        return has

    return register


def local_roles_of(applies_to: str) -> list[LocalRole]:
    return _local_roles.get(applies_to, [])


class Site:
    """The site root: the object of site-wide permissions (site.yaml), like Plone's portal."""

    __workflow__ = "site"
    id = 0
    state = "active"


SITE = Site()


#: The role answers of a bulk operation run outside a request (``remembering``).
_scope: ContextVar[dict | None] = ContextVar("roles_scope", default=None)


def _cache() -> dict:
    if not has_request_context():
        scope = _scope.get()
        return scope if scope is not None else {}
    if not hasattr(g, "_roles_cache"):
        g._roles_cache = {}
    return g._roles_cache


@contextmanager
def remembering() -> Iterator[None]:
    """Remember role answers and reader facts for the block, as a request does: for a bulk
    operation run from the command line or a worker (``fire_many`` over a thousand objects
    asks the same of the same actor each time). Forgotten with ``forget_roles``."""
    if has_request_context() or _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def remembered(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered for the request beside the role answers and forgotten with
    them (after a transition or a membership change): the facts roles are made of."""
    cache = _cache()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


@dataclass(frozen=True)
class ReaderFact:
    """A fact about the signed-in reader that pages and role providers ask for (the cities
    and partners they act for, their unread mail): ``column(user_id)`` is a scalar subquery
    for one user, ``read(value)`` turns what it selects into the fact."""

    name: str
    column: Callable[[Any], Any]
    read: Callable[[Any], Any]


_reader_facts: dict[str, ReaderFact] = {}


def reader_fact(name: str, column: Callable[[Any], Any], read: Callable[[Any], Any]) -> None:
    """Register a reader fact; the session loader reads them all in the user's statement."""
    _reader_facts[name] = ReaderFact(name, column, read)


def reader_fact_columns(user_id: Any) -> list[Any]:
    """Every registered fact as a column correlated to ``user_id`` (e.g. ``User.id``)."""
    return [fact.column(user_id) for fact in _reader_facts.values()]


def remember_reader_facts(user_id: int, values: Iterable[Any]) -> None:
    """Keep for the request the facts read beside the user (``reader_fact_columns``'s order)."""
    cache = _cache()
    for fact, value in zip(_reader_facts.values(), values, strict=True):
        cache[(fact.name, user_id)] = fact.read(value)


def reader(name: str, user: Any) -> Any:
    """The fact ``name`` about ``user``: as read with the user, or on its own (after a
    change forgot it, or for a user other than the reader)."""
    fact = _reader_facts[name]
    return remembered(
        (name, user.id),
        lambda: fact.read(db.session.scalar(sa.select(fact.column(sa.literal(user.id))))),
    )


def id_list(column: Any, *criteria: Any) -> Any:
    """A scalar subquery of the ``column`` ids meeting ``criteria``, as text ("3,7")."""
    return (
        sa.select(sa.func.aggregate_strings(sa.cast(column, sa.String), ","))
        .where(*criteria)
        .scalar_subquery()
    )


def ids(value: str | None) -> frozenset[int]:
    """The ids an ``id_list`` selected."""
    return frozenset(int(part) for part in value.split(",")) if value else frozenset()


def remember(key: Any, value: Any) -> None:
    """Keep ``value`` under ``key`` as ``remembered`` would have computed it."""
    _cache()[key] = value


def forget_roles() -> None:
    """Drop cached role answers and reader facts (after a transition, a membership change,
    a message read)."""
    if has_request_context() and hasattr(g, "_roles_cache"):
        g._roles_cache.clear()
    elif (scope := _scope.get()) is not None:
        scope.clear()


def roles_for(user: Any, obj: Any = None) -> frozenset[str]:
    """Return every role ``user`` holds on ``obj`` (the site when None)."""
    obj = SITE if obj is None else obj
    if user is None or not user.is_authenticated:
        return frozenset({"anonymous"})
    definition = definition_for(obj)
    key = (user.id, definition.applies_to, getattr(obj, "id", None), id(obj))
    cache = _cache()
    if key in cache:
        return cache[key]
    roles = {"anonymous", "authenticated", *user.global_roles}
    for provider in local_roles_of(definition.applies_to):
        if provider.has(user, obj):
            roles.add(provider.name)
    result = frozenset(roles)
    cache[key] = result
    return result


def can(user: Any, permission: str, obj: Any = None) -> bool:
    """Whether ``user`` holds ``permission`` on ``obj`` in the state it is in now."""
    obj = SITE if obj is None else obj
    definition = definition_for(obj)
    if permission not in definition.permissions:
        raise KeyError(f"{definition.source}: unknown permission {permission!r}")
    state = definition.states[getattr(obj, definition.state_attribute)]
    allowed = state.roles_with(permission)
    return bool(allowed) and not allowed.isdisjoint(roles_for(user, obj))


def require(permission: str, obj: Any = None, *, hide: bool = True) -> None:
    """Abort unless the current user holds ``permission`` on ``obj``.

    An object the user may not even view answers 404, so that guessing ids reveals nothing;
    a visible object without the permission answers 403.
    """
    hidden = obj is not None and hide and "view" in definition_for(obj).permissions
    if hidden and not can(current_user, "view", obj):
        abort(404)
    if not can(current_user, permission, obj):
        abort(403)


#: role -> SELECT of the active users holding it everywhere; registered by the accounts
#: package, which keeps users and their global roles (the engine knows no user table).
_global_holders: list[Callable[[str], Any]] = []


def global_role_holders(func: Callable[[str], Any]) -> Callable[[str], Any]:
    """Register ``users(role) -> SELECT`` of the users holding a global role."""
    _global_holders[:] = [func]
    return func


def global_roles() -> frozenset[str]:
    """The roles a user may hold everywhere: those site.yaml declares."""
    return frozenset(definition_for(SITE).roles)


def users_with_role(role: str, obj: Any) -> list[Any]:
    """Users holding ``role`` on ``obj``: global role holders or a local role's members."""
    if role in global_roles():
        return list(db.session.scalars(_global_holders[0](role))) if _global_holders else []
    definition = definition_for(obj)
    for provider in local_roles_of(definition.applies_to):
        if provider.name == role and provider.users is not None:
            return list(db.session.scalars(provider.users(obj)))
    return []


def users_with_role_each(role: str, objs: list[Any]) -> dict[int, list[Any]]:
    """``users_with_role`` for each of the objects (of one type), by object id: one
    statement for them all when the role's provider can say it (``users_each``), else one
    per object."""
    if not objs:
        return {}
    if role in global_roles():
        everyone = users_with_role(role, objs[0])
        return {obj.id: everyone for obj in objs}
    definition = definition_for(objs[0])
    provider = next((p for p in local_roles_of(definition.applies_to) if p.name == role), None)
    if provider is None or provider.users_each is None:
        return {obj.id: users_with_role(role, obj) for obj in objs}
    found: dict[int, list[Any]] = {obj.id: [] for obj in objs}
    for user, object_id in db.session.execute(provider.users_each([obj.id for obj in objs])):
        found[object_id].append(user)
    return found


def users_with_permission(permission: str, obj: Any = None) -> list[Any]:
    """Users holding ``permission`` on ``obj`` in the state it is in (by any role)."""
    obj = SITE if obj is None else obj
    definition = definition_for(obj)
    roles = definition.states[getattr(obj, definition.state_attribute)].roles_with(permission)
    found: dict[int, Any] = {}
    for role in sorted(roles - {"anonymous", "authenticated"}):
        for user in users_with_role(role, obj):
            found.setdefault(user.id, user)
    return sorted(found.values(), key=lambda u: u.id)


def roles_with_permission(permission: str, obj: Any = None) -> frozenset[str]:
    """The roles granted ``permission`` on ``obj`` (the site when None) in any state."""
    return definition_for(SITE if obj is None else obj).roles_with(permission)


def roles_clause(model: type, roles: Iterable[str], user: Any) -> Any:
    """SQL condition: rows of ``model`` on which ``user`` holds any of ``roles``."""
    roles = set(roles)
    if "anonymous" in roles:
        return sa.true()
    if user is None or not user.is_authenticated:
        return sa.false()
    if "authenticated" in roles or not roles.isdisjoint(user.global_roles):
        return sa.true()
    definition = definition_for(model)
    clauses = [
        provider.clause(user)
        for provider in local_roles_of(definition.applies_to)
        if provider.name in roles and provider.clause is not None
    ]
    return sa.or_(*clauses) if clauses else sa.false()


def permission_clause(model: type, permission: str, user: Any) -> Any:
    """SQL condition: rows of ``model`` on which ``user`` holds ``permission`` in their state.

    Built from the definition, state by state, so list pages filter in the database with a
    bounded number of queries, exactly as can() would decide row by row.
    """
    definition = definition_for(model)
    column = getattr(model, definition.state_attribute)
    parts = []
    for state in definition.states.values():
        allowed = state.roles_with(permission)
        if not allowed:
            continue
        condition = roles_clause(model, allowed, user)
        parts.append(sa.and_(column == state.id, condition))
    return sa.or_(*parts) if parts else sa.false()
