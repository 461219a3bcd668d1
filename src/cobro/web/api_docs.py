"""/api/docs: the API's documentation, the vendored Swagger UI on /api/openapi.json (no CDN:
it works offline and under a policy that runs scripts from this site only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cobro.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", language="en")
