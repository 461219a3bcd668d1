"""`GET /api/health`: is the app up, and can it reach its database?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from cobro.endpoint import DbSession, error_responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", responses=error_responses(503))
def health(session: DbSession) -> Health:
    """`{"status": "ok", "database": "ok"}`, or 503 with the database's error."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")
