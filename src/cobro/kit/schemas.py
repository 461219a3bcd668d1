"""JSON shapes shared by every list endpoint."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from cobro.kit.pagination import Page

Item = TypeVar("Item", bound=BaseModel)


class PageOut(BaseModel, Generic[Item]):
    """One page of a list: its items, where it starts, and where the next one does (None: the
    last page)."""

    items: list[Item]
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, page: Page[Any], item: type[Item]) -> PageOut[Item]:
        return cls(
            items=[item.model_validate(row) for row in page.items],
            limit=page.limit,
            offset=page.offset,
            next_offset=page.next_offset,
        )


class ErrorDetail(BaseModel):
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """Every API error: `{"error": {"message": …, "field": …}}` (`field`: the input at fault,
    when one is)."""

    error: ErrorDetail
