"""Examples to learn from and rows to score, from a company's book. No database: the book
comes in.

An **example** is an invoice paid by the day of training (settled with at least one payment;
closed by a credit note or a write-off it says nothing of paying). Its features are taken as
of its issue date, from the customer's invoices settled before then (`features`), so a model
learns only from what it will have when it predicts. Examples are in time order (issue date,
then id), which the time splits need.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from cobro.scoring.features import Facts, Past, history_facts, paperless_slope, paperless_status
from cobro.scoring.model import Matrix, matrix
from cobro.scoring.repository import Book


class Examples(NamedTuple):
    pasts: list[Past]  # in time order
    facts: list[Facts]
    countries: list[str]

    def x(self, known: Sequence[str]) -> Matrix:
        return matrix([f.values for f in self.facts], self.countries, known)

    def late(self) -> NDArray[np.bool_]:
        return np.array([p.settled_on > p.due_date for p in self.pasts], dtype=np.bool_)  # type: ignore[operator]

    def days(self) -> NDArray[np.float64]:
        return np.array(
            [(p.settled_on - p.issue_date).days for p in self.pasts],  # type: ignore[operator]
            dtype=np.float64,
        )


def paid(book: Book, on: date) -> list[Past]:
    """The invoices paid by `on`, in time order."""
    found = [
        past
        for pasts in book.invoices.values()
        for past in pasts
        if past.settled_on is not None and past.settled_on <= on and past.payments > 0
    ]
    found.sort(key=lambda p: (p.issue_date, p.invoice_id))
    return found


def slope(book: Book, pasts: Sequence[Past]) -> float:
    """The paperless shift learnt from these paid invoices."""
    return paperless_slope(
        (
            p.customer_id,
            paperless_status(book.debtors[p.customer_id], p.issue_date),
            float((p.settled_on - p.issue_date).days),  # type: ignore[operator]
        )
        for p in pasts
    )


def examples(book: Book, pasts: Sequence[Past], beta: float) -> Examples:
    """Each paid invoice's features as of its issue date."""
    by_customer: dict[int, list[tuple[int, Past]]] = {}
    for index, past in enumerate(pasts):
        by_customer.setdefault(past.customer_id, []).append((index, past))
    facts: list[Facts | None] = [None] * len(pasts)
    for customer_id, own in by_customer.items():
        queries = [(p.issue_date, p.total, p.due_date) for _, p in own]
        found = history_facts(book.debtors[customer_id], book.invoices[customer_id], queries, beta)
        for (index, _), fact in zip(own, found, strict=True):
            facts[index] = fact
    countries = [book.debtors[p.customer_id].country for p in pasts]
    return Examples(list(pasts), [f for f in facts if f is not None], countries)
