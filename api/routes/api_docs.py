"""The interactive API documentation (Swagger UI at ``/docs``) from gisplan's own
origin: the scripts come from web/static/vendor (npm, see the Makefile), not FastAPI's default CDN, so
the page works offline and under the same Content-Security-Policy as every other page (its one
inline script carries the response's nonce)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from gisplan.csp import add_nonce

router = APIRouter(include_in_schema=False)
VENDOR = "/static/vendor"


def _with_nonce(page: HTMLResponse) -> HTMLResponse:
    return HTMLResponse(add_nonce(page.body.decode()))


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _with_nonce(get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} — API",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.ico",
        # no badge from validator.swagger.io: nothing is fetched from another origin
        swagger_ui_parameters={"validatorUrl": None}))

