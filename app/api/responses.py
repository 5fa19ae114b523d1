"""A JSON response rendered straight from a pydantic model by pydantic-core.

Returning it from a route skips FastAPI's second validation and ``jsonable_encoder`` pass of the
declared ``response_model`` (still used for the OpenAPI schema): the model is serialised to
bytes once.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import JSONResponse


class ModelResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            return type(content).__pydantic_serializer__.to_json(content)
        return super().render(content)
