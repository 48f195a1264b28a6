"""The OpenAPI document: bearer tokens declared, so that Swagger UI has its Authorize button."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def declare_bearer_auth(app: FastAPI) -> None:
    """Document the API's bearer tokens (from POST /api/v1/auth/token); anonymous calls stay allowed."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "POST /api/v1/auth/token → access_token",
                }
            }
            schema["security"] = [{"bearerAuth": []}, {}]  # public reads need no token
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
