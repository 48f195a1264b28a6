"""The FastAPI application: JSON API under /api/v1, HTML pages, problem+json errors, OpenAPI at /docs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipops import __version__
from ipops.core.bounds import BodyLimit
from ipops.core.config import Settings, get_settings
from ipops.core.db import make_engine, make_session_factory
from ipops.core.errors import DomainError, ErrorCode, problem_body
from ipops.web.deps import SESSION_COOKIE, request_locale
from ipops.web.i18n import domain_detail

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
STATUS_CODES = {
    404: ErrorCode.NOT_FOUND,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    405: ErrorCode.VALIDATION_ERROR,
    409: ErrorCode.CONFLICT,
    429: ErrorCode.RATE_LIMITED,
}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _problem(
    request: Request, code: ErrorCode, detail: str = "", extra: dict[str, Any] | None = None
) -> Response:
    body = problem_body(
        code=code, locale=request_locale(request), detail=detail, instance=request.url.path, extra=extra
    )
    headers = {"Retry-After": str(extra["retry_after"])} if extra and "retry_after" in extra else None
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _html_error(request: Request, code: ErrorCode, detail: str) -> Response:
    from ipops.web.templating import render

    if code == ErrorCode.UNAUTHENTICATED:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    body = problem_body(code=code, locale=request_locale(request), detail=detail)
    return render(request, "error.html", {"problem": body}, status_code=body["status"])


def _invalid_fields(request: Request, errors: list[dict[str, Any]]) -> str:
    """The parameters that failed validation, for the error page ("year")."""
    from ipops.web.i18n import gettext_for

    names = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in errors if e["loc"]))
    return gettext_for(request_locale(request)).gettext("Invalid value for: %(fields)s") % {"fields": names}


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as RFC 9457 problem+json (API) or an error page (browser) with its code."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        detail = domain_detail(exc, request_locale(request))
        if _wants_html(request):
            return _html_error(request, exc.code, detail)
        return _problem(request, exc.code, detail, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if _wants_html(request):  # a bad query string in the address bar gets a page, not raw JSON
            return _html_error(request, ErrorCode.VALIDATION_ERROR, _invalid_fields(request, errors))
        return _problem(request, ErrorCode.VALIDATION_ERROR, "request failed validation", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        if _wants_html(request):
            return _html_error(request, code, str(exc.detail))
        return _problem(request, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s", request.url.path)
        return _problem(request, ErrorCode.INTERNAL_ERROR)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def install_same_origin_guard(app: FastAPI) -> None:
    """Refuse cookie-authenticated writes sent from another site (CSRF), on top of SameSite=Lax cookies."""

    @app.middleware("http")
    async def same_origin_writes(request: Request, call_next: Any) -> Response:
        if (
            request.method not in SAFE_METHODS
            and SESSION_COOKIE in request.cookies
            and "authorization" not in request.headers
        ):
            source = request.headers.get("origin") or request.headers.get("referer")
            if source and urlparse(source).netloc != request.url.netloc:
                return _problem(request, ErrorCode.FORBIDDEN, "cross-site request refused")
        response: Response = await call_next(request)
        return response


def create_app(
    *, settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the application; tests pass their own session factory bound to a rolled-back connection."""
    settings = settings or get_settings()
    app = FastAPI(
        title="ipops",
        version=__version__,
        description="知识产权运营服务平台 · IP operations service platform",
        docs_url=None,  # served below from bundled assets: the default page loads Swagger UI from a CDN
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(make_engine(settings.database_url))
    from ipops.wiring import load_wiring

    load_wiring()  # job kinds and event consumers are known before the first request
    install_error_handlers(app)
    install_same_origin_guard(app)
    app.add_middleware(BodyLimit, settings=settings)  # outermost: every route's body is capped as it streams
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    from ipops.domains import DOMAINS
    from ipops.web.audit import router as audit_api
    from ipops.web.pages import router as shell_pages

    app.include_router(audit_api, prefix="/api/v1")
    app.include_router(shell_pages)
    for domain in DOMAINS:
        if domain.api is not None:
            app.include_router(domain.api, prefix="/api/v1")
        if domain.pages is not None:
            app.include_router(domain.pages)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="ipops API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    from ipops.web.openapi import declare_bearer_auth

    declare_bearer_auth(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
