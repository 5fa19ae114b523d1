"""FastAPI dependencies of the routes: the app's settings and the request's database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import session_scope
from app.settings import Settings


async def get_app_settings(request: Request) -> Settings:
    """The settings the running app was created with. ``async`` although it awaits nothing:
    FastAPI runs a plain ``def`` dependency in a worker thread, a hop that added about a third
    of a millisecond to every request's latency for one attribute read."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


REQUEST_SESSION = "db_session"  # request.state key of the request's session


def get_session(request: Request, settings: SettingsDep) -> Iterator[Session]:
    """The request's session, working for the request's caller (``request.state.principal``,
    set by access control) so that the jobs it queues record who queued them."""
    from app.security.actor import set_actor

    with session_scope(settings) as session:
        principal = getattr(request.state, "principal", None)
        set_actor(session, principal.token_id if principal else None)
        setattr(request.state, REQUEST_SESSION, session)
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
