"""/api/tokens: admins create, list and revoke API tokens (also `claimtrace tokens`)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.params import ResourceId
from app.deps import SessionDep
from app.errors import ConflictError
from app.schemas.tokens import TokenCreate, TokenCreated, TokenOut
from app.security import tokens as service
from app.security.deps import AdminDep

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenOut])
def list_tokens(session: SessionDep, _: AdminDep) -> list[TokenOut]:
    """Every token (revoked ones too), without the tokens themselves."""
    return [TokenOut.model_validate(t) for t in service.list_tokens(session)]


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, session: SessionDep, _: AdminDep) -> TokenCreated:
    """Create a token; the response is the only place the token appears."""
    created = service.create_token(session, role=body.role, name=body.name)
    session.commit()
    return TokenCreated(**TokenOut.model_validate(created.row).model_dump(), token=created.token)


@router.post("/{token_id}/revoke", response_model=TokenOut, responses={409: {"description": "already revoked, "
                                                                            "or the token making the request"}})
def revoke_token(token_id: ResourceId, session: SessionDep, admin: AdminDep) -> TokenOut:
    """Revoke a token: it stops authenticating at once (web sessions made with it end too)."""
    if token_id == admin.token_id:
        raise ConflictError("refusing to revoke the token making this request; use another admin token "
                            "or 'claimtrace tokens revoke'", code="own_token")
    row = service.revoke_token(session, token_id)
    session.commit()
    return TokenOut.model_validate(row)
