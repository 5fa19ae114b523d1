"""A JSON response rendered by pydantic-core (Rust), from a pydantic model or plain data.

Returning it from a route skips FastAPI's second validation and ``jsonable_encoder`` pass of the
declared ``response_model`` (still used for the OpenAPI schema): the content is serialised to
bytes once, about four times faster than ``json.dumps`` for a page of claims.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from starlette.responses import JSONResponse


class ModelResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            return type(content).__pydantic_serializer__.to_json(content)
        return to_json(content, inf_nan_mode="null")
