"""API tokens: 256 random bits shown once, stored as a SHA-256 hash, checked in constant time.

A token is ``ct_`` + 43 URL-safe characters. Its hash is unkeyed on purpose: with 256 bits of
entropy a leaked hash cannot be inverted, and an export restored elsewhere keeps its tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConflictError, NotFoundError
from app.models import ApiToken
from app.models.base import utcnow
from app.security.roles import Role

TOKEN_PREFIX = "ct_"
PREFIX_SHOWN = 10  # "ct_" and 7 characters: enough to tell tokens apart in a listing
MAX_TOKEN_LENGTH = 128
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one last-used write per token a minute


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CreatedToken:
    row: ApiToken
    token: str  # the only time the token itself exists outside the client


def create_token(session: Session, *, role: Role | str, name: str) -> CreatedToken:
    """Store a new token (its hash) with ``role``; the caller commits and shows ``token`` once."""
    role = Role.parse(role) if isinstance(role, str) else role
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ValueError("a token name is 1 to 100 characters")
    token = generate_token()
    row = ApiToken(name=name, role=role.name, token_hash=hash_token(token), prefix=token[:PREFIX_SHOWN])
    session.add(row)
    session.flush()
    return CreatedToken(row, token)


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(query))


def get_token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"token {token_id} does not exist; 'claimtrace tokens list' shows them")
    return row


def revoke_token(session: Session, token_id: int) -> ApiToken:
    row = get_token(session, token_id)
    if row.revoked_at is not None:
        raise ConflictError(f"token {token_id} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M} UTC")
    row.revoked_at = utcnow()
    session.flush()
    return row


def authenticate(session: Session, token: str) -> ApiToken | None:
    """The active token row for ``token``, or None; records when it was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at is not None:
        return None
    touch(row)
    return row


def touch(row: ApiToken) -> None:
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
