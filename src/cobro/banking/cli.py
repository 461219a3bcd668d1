"""`cobro bank …`: the company's accounts, importing statements (camt, MT940/MT942, CSV), the
statements imported, and the review queue of cash application (accept, split, reassign,
ignore)."""

from __future__ import annotations

from pathlib import Path

import typer

from cobro.banking import accounts, imports, review, settings
from cobro.banking.csvfile import PRESETS
from cobro.banking.queries import list_statements
from cobro.banking.rules import parse_share
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import utcnow
from cobro.kit.money import display, parse_amount
from cobro.kit.pagination import MAX_LIMIT, PageRequest

bank_app = typer.Typer(help="Bank accounts, statement import and cash application.")
accounts_app = typer.Typer(help="The company's bank accounts (statements are accepted for these).")
bank_app.add_typer(accounts_app, name="accounts")
FILE = typer.Argument(..., exists=True, dir_okay=False, help="The statement file.")
SHARES = typer.Argument(..., help="INVOICE=AMOUNT, e.g. F-1=120.50 F-2=30")


@accounts_app.command("list")
def accounts_list(company: str | None = CompanyOption) -> None:
    """The accounts statements may be imported for."""
    with cli_errors(), unit_of_work() as session:
        rows = [
            (str(a.id), a.account, a.bic or "", a.currency, a.name or "")
            for a in accounts.list_accounts(session, company_of(session, company))
        ]
    print_rows(("id", "account", "BIC", "currency", "name"), rows, "accounts")


@accounts_app.command("add")
def accounts_add(
    account: str = typer.Argument(..., help="IBAN (checked) or the bank's account number."),
    currency: str | None = typer.Option(None, "--currency", help="Default: the company's."),
    bic: str | None = typer.Option(None, "--bic"),
    name: str | None = typer.Option(None, "--name", help="A name to tell it apart."),
    company: str | None = CompanyOption,
) -> None:
    """Add an account of the company."""
    with cli_errors(), unit_of_work() as session:
        row = accounts.add_account(
            session, company_of(session, company), account, currency, bic, name
        )
        said = row.account
    console.print(f"Account {said} added.", highlight=False)


@bank_app.command("import")
def bank_import(
    file: Path = FILE,
    fmt: str | None = typer.Option(
        None, "--format", help="camt, mt940 or csv (default: recognised from the file)."
    ),
    preset: str = typer.Option(
        "generic", "--preset", help=f"CSV columns: {', '.join(sorted(PRESETS))}."
    ),
    account: str | None = typer.Option(
        None, "--account", help="The account a CSV file is for (it names none)."
    ),
    on: str | None = typer.Option(None, "--on", help="Day of the import (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """Import a statement: every line is stored once (a file imported again adds nothing), the
    balances are checked, and each new payment is matched to invoices: applied at once when
    sure, else put in the review queue (cobro bank review)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        result = imports.import_statement_file(
            session,
            owner,
            file.read_bytes(),
            on=day_of(on, owner),
            now=utcnow(),
            by=(None, "cli"),
            filename=file.name,
            fmt=fmt,
            mapping=preset,
            account=account,
        )
    for summary in result.statements:
        state = "already imported" if summary.already_imported else f"{summary.new_lines} new lines"
        gap = summary.balance_gap
        check = "" if gap in (None, 0) else f" — BALANCES DO NOT ADD UP (off by {gap})"
        console.print(
            f"{summary.format} {summary.identifier or ''} for {summary.account}: "
            f"{summary.lines} lines, {state}{check}",
            highlight=False,
        )
    out = result.outcome
    console.print(
        f"Applied {out.applied}, to review {out.review}, unmatched {out.unmatched}, "
        f"returned {out.returned}.",
        highlight=False,
    )


@bank_app.command("statements")
def bank_statements(company: str | None = CompanyOption) -> None:
    """The statements imported, newest first (the latest 200), with their balance check."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = list_statements(session, owner, PageRequest(limit=MAX_LIMIT))
        rows = [
            (
                str(s.id),
                s.account,
                s.format,
                s.identifier or "",
                f"{s.from_date or ''}–{s.to_date or ''}",
                str(s.line_count),
                s.balance_check,
            )
            for s in page.items
        ]
    print_rows(
        ("id", "account", "format", "statement", "period", "lines", "balances"), rows, "statements"
    )


@bank_app.command("review")
def bank_review(company: str | None = CompanyOption) -> None:
    """The review queue: lines waiting for a person, oldest first, with the best candidate."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = review.review_queue(session, owner, PageRequest(limit=MAX_LIMIT))
        rows = []
        for line in page.items:
            best = line.suggestions[0] if line.suggestions else None
            rows.append(
                (
                    str(line.id),
                    str(line.booking_date or ""),
                    f"{display(line.amount, line.currency)} {line.currency}",
                    (line.counterparty_name or "")[:30],
                    (line.remittance or line.structured_reference or "")[:40],
                    _said(best),
                    line.why or "",
                )
            )
    print_rows(
        ("line", "booked", "amount", "payer", "text", "best candidate", "why"), rows, "lines"
    )


def _said(best: dict[str, object] | None) -> str:
    if best is None:
        return "(none)"
    shares = best.get("shares")
    numbers = ", ".join(str(s["invoice"]) for s in shares) if isinstance(shares, list) else ""
    return f"{best['customer']}: {numbers} ({best['score']})"


@bank_app.command("accept")
def bank_accept(
    line: int = typer.Argument(..., help="The line's id (cobro bank review)."),
    candidate: int = typer.Option(1, "--candidate", help="Which candidate, 1 = the best."),
    company: str | None = CompanyOption,
) -> None:
    """Apply a line as one of its candidates proposes."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        review.accept(session, owner, line, candidate - 1, (None, "cli"), utcnow())
    console.print(f"Line {line} applied.", highlight=False)


@bank_app.command("split")
def bank_split(
    line: int = typer.Argument(..., help="The line's id."),
    customer: str = typer.Option(..., "--customer", help="The customer's external id."),
    shares: list[str] = SHARES,
    company: str | None = CompanyOption,
) -> None:
    """Apply a line to the invoices given, each with its amount; the rest stays unapplied."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        line_row = review.get_line(session, owner, line)
        parsed = [parse_share(text, line_row.currency) for text in shares]
        review.split(session, owner, line, customer, parsed, (None, "cli"), utcnow())
    console.print(f"Line {line} applied to {len(parsed)} invoices.", highlight=False)


@bank_app.command("reassign")
def bank_reassign(
    line: int = typer.Argument(..., help="The line's id."),
    customer: str = typer.Argument(..., help="The customer whose money it is (external id)."),
    company: str | None = CompanyOption,
) -> None:
    """The money is this customer's: it pays their oldest open invoices first."""
    with cli_errors(), unit_of_work() as session:
        review.reassign(
            session, company_of(session, company), line, customer, (None, "cli"), utcnow()
        )
    console.print(f"Line {line} applied to {customer}.", highlight=False)


@bank_app.command("ignore")
def bank_ignore(
    line: int = typer.Argument(..., help="The line's id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the line)."),
    company: str | None = CompanyOption,
) -> None:
    """Take a line out of the queue: it is no customer's payment."""
    with cli_errors(), unit_of_work() as session:
        review.ignore(session, company_of(session, company), line, reason, (None, "cli"), utcnow())
    console.print(f"Line {line} ignored.", highlight=False)


@bank_app.command("settings")
def bank_settings_command(
    threshold: int | None = typer.Option(
        None, "--threshold", help="Score (50–100) from which a match is applied alone."
    ),
    charges_tolerance: str | None = typer.Option(
        None, "--charges-tolerance", help="Most bank charges a payer may deduct, e.g. 25.00."
    ),
    creditor_id: str | None = typer.Option(
        None, "--creditor-id", help='SEPA creditor identifier, e.g. ES12ZZZ12345678; "" clears.'
    ),
    street: str | None = typer.Option(None, "--street"),
    building_number: str | None = typer.Option(None, "--building-number"),
    postal_code: str | None = typer.Option(None, "--postal-code"),
    town: str | None = typer.Option(None, "--town"),
    return_fee: str | None = typer.Option(
        None, "--return-fee", help="Fee charged for a returned direct debit, e.g. 5.00 (0: none)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Show the cash-in settings; with options, change them (audited)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        changes: dict[str, object] = {
            name: value
            for name, value in (
                ("match_threshold", threshold),
                ("creditor_id", creditor_id),
                ("street", street),
                ("building_number", building_number),
                ("postal_code", postal_code),
                ("town", town),
            )
            if value is not None
        }
        for name, text in (("charges_tolerance", charges_tolerance), ("return_fee", return_fee)):
            if text is not None:
                changes[name] = parse_amount(text, owner.currency)
        shown = (
            settings.change_bank_settings(session, owner, changes, (None, "cli"), utcnow())
            if changes
            else settings.bank_settings(owner)
        )
        currency = owner.currency
    for name, value in vars(shown).items():
        money = name in ("charges_tolerance", "return_fee")
        said = f"{display(int(value), currency)} {currency}" if money else value
        console.print(f"{name}: {'' if said is None else said}", highlight=False)
