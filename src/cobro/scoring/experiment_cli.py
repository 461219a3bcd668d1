"""`cobro experiments start|stop|report|list`: champion/challenger experiments on live customers
(`scoring.experiment`): a new policy tried on a random share of the customers of the current
one, a random holdout kept on the current one as the control, and the two compared."""

from __future__ import annotations

import typer

from cobro.audit.actor import Actor
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.policy.service import list_policies
from cobro.scoring import experiment as service
from cobro.scoring import experiment_report
from cobro.scoring.experiment import MAX_PERCENT
from cobro.scoring.experiment_report import ExperimentReport

experiments_app = typer.Typer(
    help="Champion/challenger experiments: try a new collection policy (the challenger) on a "
    "random share of the customers of the current one (the champion), keep another random "
    "share on the champion as the holdout (the control), and see which gets paid sooner."
)
CODE = typer.Argument(..., help="The experiment's code, e.g. early-2026q3.")
ON = typer.Option(None, "--on", help="The day (default: today in the company's time zone).")


@experiments_app.command("start")
def experiments_start(
    code: str = CODE,
    champion: str = typer.Option(..., "--champion", help="Code of the policy in use."),
    challenger: str = typer.Option(..., "--challenger", help="Code of the policy to try."),
    challenger_percent: int = typer.Option(
        20,
        "--challenger-percent",
        help=f"Share of the champion's customers switched to the challenger (1 to {MAX_PERCENT}).",
    ),
    holdout_percent: int = typer.Option(
        20,
        "--holdout-percent",
        help=f"Share kept on the champion as the control group (1 to {MAX_PERCENT}).",
    ),
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Start an experiment: of the customers following the champion policy (their own policy,
    or none when the champion is the default), a random challenger share is switched to the
    challenger policy now, and a random holdout share stays on the champion as the control
    group the challenger is compared with. The draw is fixed by the code and the customer.

    One experiment at a time per champion; customers in a running experiment are not drawn
    again. Assignment rules are not looked at: a customer without a policy of its own counts
    as following the default."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        row = service.start(
            session,
            owner,
            code,
            champion,
            challenger,
            challenger_percent,
            holdout_percent,
            day_of(on, owner),
            Actor(name="cobro experiments start"),
        )
        sizes = service.arm_sizes(session, row)
        said = (
            f"Experiment {row.code} started on {row.started_on}: "
            f"{sizes[service.CHALLENGER]} customers switched from {champion.strip()} to "
            f"{challenger.strip()} (the challenger), {sizes[service.HOLDOUT]} kept on "
            f"{champion.strip()} (the holdout)."
        )
    console.print(said)


@experiments_app.command("stop")
def experiments_stop(
    code: str = CODE,
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Stop an experiment: the challenger customers are switched back to the policy they had
    before, except those whose policy a person has changed since (that choice stays). The
    holdout never moved. The report then counts the invoices due up to this day."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        done = service.stop(
            session, owner, code, day_of(on, owner), Actor(name="cobro experiments stop")
        )
        said = (
            f"Experiment {done.experiment.code} stopped on {done.experiment.ended_on}: "
            f"{done.restored} customers switched back to their policy from before"
        )
        if done.kept:
            said += f", {done.kept} left on the policy a person gave them since"
    console.print(said + ".")


@experiments_app.command("report")
def experiments_report(
    code: str = CODE,
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Compare the challenger group with the holdout over the invoices due since the start:
    the share paid within 30 days of the due date, the mean days past due when settled, the
    overdue amount still open and the messages per customer, with a significance test of the
    share and of the days. Below 30 invoices a side it says it is too early to tell. It writes
    nothing."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        result = experiment_report.report(session, owner, code, day_of(on, owner))
    _print(result)


def _print(result: ExperimentReport) -> None:
    state = "running" if result.ended_on is None else f"stopped on {result.ended_on}"
    console.print(
        f"Experiment {result.code} ({state}): {result.challenger} (challenger) against "
        f"{result.champion} (holdout), invoices due {result.started_on} to {result.until}, "
        f"as of {result.on}."
    )
    headings = (
        "",
        f"holdout ({result.champion})",
        f"challenger ({result.challenger})",
        "difference",
    )
    print_rows(headings, result.rows(), "measures")
    for line in result.verdict():
        console.print(line)


@experiments_app.command("list")
def experiments_list(company: str | None = CompanyOption) -> None:
    """The company's experiments, the latest started first."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        codes = {policy.id: policy.code for policy in list_policies(session, owner)}
        rows = [
            (
                row.code,
                codes[row.champion_policy_id],
                codes[row.challenger_policy_id],
                f"{row.challenger_percent} %",
                f"{row.holdout_percent} %",
                row.started_on.isoformat(),
                "running" if row.ended_on is None else row.ended_on.isoformat(),
            )
            for row in service.list_experiments(session, owner)
        ]
    headings = ("code", "champion", "challenger", "challenger", "holdout", "started", "ended")
    print_rows(headings, rows, "experiments")
