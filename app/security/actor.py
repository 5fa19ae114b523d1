"""Which API token a DB session works for, so the jobs it queues record their creator."""

from __future__ import annotations

from sqlalchemy.orm import Session

ACTOR_KEY = "api_token_id"  # key in Session.info


def set_actor(session: Session, token_id: int | None) -> None:
    session.info[ACTOR_KEY] = token_id


def actor_token_id(session: Session) -> int | None:
    """The API token on whose behalf this session works (None: CLI, worker, anonymous)."""
    return session.info.get(ACTOR_KEY)
