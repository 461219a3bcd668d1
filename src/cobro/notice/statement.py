"""The statement of account: every item a notice lists, with totals and how to pay, as a PDF."""

from __future__ import annotations

from cobro.channel.letter import html_to_pdf
from cobro.notice.context import NoticeContext
from cobro.notice.errors import NoticeError
from cobro.notice.render import render_layout


def statement_html(context: NoticeContext) -> str:
    if not context.items:
        raise NoticeError(f"statement for {context.customer_ref}: there are no items to list")
    return render_layout(context, "statement.html.j2")[0]


def statement_pdf(context: NoticeContext) -> bytes:
    """An A4 statement in the debtor's language (else the company's, else English).

    Raises `cobro.channel.letter.RendererUnavailable` when WeasyPrint cannot be loaded.
    """
    return html_to_pdf(statement_html(context))
