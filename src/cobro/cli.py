"""The `cobro` command. Each domain brings its commands; this module only wires them and turns
any user error that slips through into one clear line and a non-zero exit code."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from cobro.audit.cli import audit_app
from cobro.auth.cli import tokens_app, users_app
from cobro.banking.cli import bank_app
from cobro.banking.sepa_cli import sepa_app
from cobro.charge.cli import charges_app
from cobro.company.cli import companies_command, init_command
from cobro.config import load_settings
from cobro.customer.cli import customers_app
from cobro.cycle.cli import cycle_command
from cobro.db import describe_db_error, upgrade
from cobro.demo.cli import demo_command
from cobro.dispute.cli import disputes_app
from cobro.edge import EXIT_USER_ERROR, console, errors, fail
from cobro.errors import CobroError
from cobro.fx.cli import fx_app
from cobro.housekeeping import prune_command
from cobro.importer.cli import export_command, import_app
from cobro.interest.cli import interest_command, rates_app
from cobro.invoice.cli import invoices_app
from cobro.legal.cli import agency_app, legal_app
from cobro.notice.cli import templates_app
from cobro.plan.cli import plans_app
from cobro.policy.cli import policies_app
from cobro.policy.holds_cli import holds_app, opt_out_command
from cobro.policy.settings_cli import settings_app
from cobro.portal.cli import portal_app
from cobro.promise.cli import promises_app
from cobro.report.cli import aging_command, timeline_command
from cobro.report.report_cli import report_app
from cobro.scoring.backtest_cli import backtest_command
from cobro.scoring.cli import model_app
from cobro.scoring.experiment_cli import experiments_app
from cobro.setoff.cli import setoff_app
from cobro.task.cli import tasks_command
from cobro.validation.cli import validation_app
from cobro.worker import worker_command
from cobro.worklist.cli import worklist_app
from cobro.writeoff.cli import write_off_command, writeoffs_app

app = typer.Typer(
    name="cobro",
    help="Cobro: follow every unpaid invoice until it is paid. "
    "Database: COBRO_DATABASE_URL (default sqlite:///cobro.db).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    url = load_settings().database_url
    try:
        upgrade(url)
    except CobroError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(describe_db_error(exc, url).message)
    console.print("Database is up to date.")


app.add_typer(db_app, name="db")
app.command("init")(init_command)
app.command("companies")(companies_command)
app.add_typer(customers_app, name="customers")
customers_app.command("timeline")(timeline_command)  # reads every domain: the report layer
app.add_typer(invoices_app, name="invoices")
invoices_app.command("write-off")(write_off_command)  # through the approval by role
app.command("aging")(aging_command)
app.add_typer(report_app, name="report")
app.add_typer(model_app, name="model")
app.add_typer(experiments_app, name="experiments")
app.add_typer(worklist_app, name="worklist")
app.add_typer(import_app, name="import")
app.command("export")(export_command)
app.command("demo")(demo_command)
app.command("cycle")(cycle_command)
app.command("worker")(worker_command)
app.add_typer(policies_app, name="policies")
# the back-test replays the ledger through the collection ranking's package (cobro.scoring)
policies_app.command("backtest")(backtest_command)
app.add_typer(settings_app, name="settings")
app.add_typer(holds_app, name="holds")
app.add_typer(promises_app, name="promises")
app.add_typer(plans_app, name="plans")
app.command("opt-out")(opt_out_command)
app.command("tasks")(tasks_command)
app.command("prune")(prune_command)
app.command("interest")(interest_command)
app.add_typer(rates_app, name="rates")
app.add_typer(fx_app, name="fx")
app.add_typer(charges_app, name="charges")
app.add_typer(bank_app, name="bank")
app.add_typer(sepa_app, name="sepa")
app.add_typer(templates_app, name="templates")
app.add_typer(validation_app, name="validation")
app.add_typer(disputes_app, name="disputes")
app.add_typer(legal_app, name="legal")
app.add_typer(agency_app, name="agency")
app.add_typer(writeoffs_app, name="writeoffs")
app.add_typer(setoff_app, name="setoff")


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    reload: bool = typer.Option(False, help="Restart when the code changes (development)."),
    workers: int = typer.Option(
        1, min=1, max=64, help="Server processes (about 1.5 per CPU core; not with --reload)."
    ),
    access_log: bool = typer.Option(True, help="Log a line per request."),
) -> None:
    """Serve the web app and the JSON API (API docs at /api/docs) until Ctrl-C."""
    import uvicorn  # noqa: PLC0415 (only this command needs the server)

    if reload and workers > 1:
        raise typer.BadParameter(
            "--reload runs one process: leave --workers out", param_hint="--workers"
        )

    console.print(f"Cobro at http://{host}:{port}/ (API docs: /api/docs). Ctrl-C stops it.")
    uvicorn.run(
        "cobro.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        access_log=access_log,
    )


app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(portal_app, name="portal")


def main() -> None:
    try:
        app()
    except CobroError as exc:
        errors.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(EXIT_USER_ERROR)
    except SQLAlchemyError as exc:
        message = describe_db_error(exc, load_settings().database_url).message
        errors.print(f"[bold red]error:[/] {message}", highlight=False)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        errors.print("interrupted: nothing of the unfinished step was written")
        sys.exit(130)
