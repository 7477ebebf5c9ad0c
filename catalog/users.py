"""Accounts of the web app: curators and administrators, passwords kept only as hashes.

Hashing is werkzeug's (scrypt, salted, with the method in the stored string so it can be
strengthened later); a wrong name and a wrong password take the same time and say the same.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from catalog.models import Collection, User, UserCollection
from errors import InvalidInput

ROLES = ("admin", "curator")
NAME = re.compile(r"^[\w.@-]{1,100}$")
MIN_PASSWORD = 8
# checked against when the name is unknown, so both failures cost one hash
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class UserError(InvalidInput):
    """A bad name, role or password; the message names the field."""


def _check(name: str | None = None, role: str | None = None,
           password: str | None = None) -> None:
    if name is not None and not NAME.match(name):
        raise UserError(f"name: expected letters, digits, '.', '@', '_' or '-', got {name!r}")
    if role is not None and role not in ROLES:
        raise UserError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"password: expected at least {MIN_PASSWORD} characters")


def get_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def add_user(session: Session, name: str, password: str, role: str) -> User:
    _check(name, role, password)
    if get_user(session, name) is not None:
        raise UserError(f"name: a user {name!r} already exists")
    user = User(name=name, password_hash=generate_password_hash(password), role=role,
                created=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; every session of the account ends with the old one."""
    _check(password=password)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session begun before now stops being accepted (logout, a new password)."""
    user.session_version = (user.session_version or 0) + 1


def set_role(session: Session, user: User, role: str) -> None:
    _check(role=role)
    if user.role == "admin" and role != "admin" and _last_admin(session, user):
        raise UserError("role: the last administrator cannot stop being one")
    user.role = role


def remove_user(session: Session, user: User) -> None:
    if user.role == "admin" and _last_admin(session, user):
        raise UserError("name: the last administrator cannot be removed")
    session.delete(user)


def _last_admin(session: Session, user: User) -> bool:
    admins = session.scalars(select(User.id).where(User.role == "admin")).all()
    return list(admins) == [user.id]


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user if the password is theirs, else None (unknown names cost the same)."""
    user = get_user(session, name)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login = datetime.now(UTC)
    return user


def allowed_collections(session: Session, user: User) -> frozenset[str] | None:
    """The slugs of the collections ``user`` may work on and see, or None for all of them
    (administrators, and curators not limited to any)."""
    if user.role == "admin":
        return None
    slugs = session.scalars(select(Collection.slug).join(
        UserCollection, UserCollection.collection_id == Collection.id)
        .where(UserCollection.user_id == user.id)).all()
    return frozenset(slugs) or None


def set_collections(session: Session, user: User, slugs: list[str]) -> None:
    """Limit a curator to these collections (an empty list: no limit)."""
    found = dict(session.execute(select(Collection.slug, Collection.id)
                                 .where(Collection.slug.in_(slugs))).all())
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise UserError(f"collections: no collection {', '.join(map(repr, unknown))}")
    for row in session.scalars(select(UserCollection).where(UserCollection.user_id == user.id)):
        session.delete(row)
    session.flush()
    session.add_all(UserCollection(user_id=user.id, collection_id=found[slug])
                    for slug in dict.fromkeys(slugs))
    session.flush()
