"""The risk model at scale (issue #9): training on 1M invoices, scoring 100k customers and
their open invoices, and the features and late probability of every one of the 1M invoices.

Targets: scoring 1M invoices / 100k customers in ≤ 60 s; training on 1M invoices in ≤ 5 min
with peak memory ≤ 4 GiB. "Scoring" is measured twice: `scorer.score` (what `cobro model
score` does: every customer and every open invoice as of the day, written back), and the
features and late probability of every invoice of the ledger, paid or open, each as of its
own issue date (what "scoring 1M invoices" says literally; nothing written).

The ledger is the demo company (`bench/_demo_db.build`, the generator's paid history with
allocations) with `--customers` customers and `--invoices` invoices, in a SQLite file: a
temporary one, or `--keep PATH`, reused when it already holds a demo of that size (each run
adds one model and replaces the scores, which changes nothing measured).

Each step runs in a fresh interpreter, so that its peak RSS is its own (the kernel's high
water mark of the process, VmHWM: `ru_maxrss` would carry the parent's over the exec), with
OMP_NUM_THREADS (and the BLAS ones) set to `--threads` (1: the 2-core machine is shared).
Times include the commit. Time targets are prorated for smaller runs.

Usage: python bench/scoring_1m.py [--invoices N] [--customers N] [--keep PATH]
       [--threads N] [--on DATE] [--profile STEP]   (STEP: train, score or all: cProfile it)
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from _demo_db import ON, build, peak_rss_mib
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.scoring import model, repository, scorer, service
from cobro.scoring.features import history_facts

HERE = Path(__file__).resolve()
INVOICES, CUSTOMERS = 1_000_000, 100_000
TRAIN_S, TRAIN_MIB, SCORE_S = 300.0, 4 * 1024.0, 60.0  # targets at 1M invoices
CHUNK = 50_000  # invoices predicted at a time in the all-invoices step (bounds its memory)
CHILD_TIMEOUT_S = 1800
STEPS = ("train", "score", "all")
NINE = datetime.min.time().replace(hour=9)  # the model's trained_at: 9:00 UTC on the day


# ------------------------------------------------------------------------------ in a child


def peak_mib() -> float:
    """This process's peak RSS: VmHWM (the memory map's own, reset by exec), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return peak_rss_mib()


@contextmanager
def timed(parts: dict[str, float], spots: list[tuple[Any, str, str]]) -> Iterator[None]:
    """Time the calls of each (module, function name, label) into `parts[label]`, the code
    unchanged: the module attribute is wrapped for the block and put back after."""
    saved = []
    for owner, name, label in spots:
        original = getattr(owner, name)
        saved.append((owner, name, original))
        setattr(owner, name, _wrap(original, parts, label))
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def _wrap(function: Callable[..., Any], parts: dict[str, float], label: str) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            parts[label] = parts.get(label, 0.0) + time.perf_counter() - started

    return wrapper


def step_train(url: str, company_id: int, on: date) -> dict[str, Any]:
    """`service.train` and its commit (the model serves the score step)."""
    parts: dict[str, float] = {}
    spots = [(repository, "book", "read the book"), (service, "paid", "paid"),
             (service, "slope", "slope"), (service, "examples", "features"),
             (service, "fit", "fit"), (service, "dump", "dump")]  # fmt: skip
    engine = make_engine(url)
    with transaction(engine) as session:
        session.scalar(select(Company.id).limit(1))  # connect first: not part of the time
        base = peak_mib()
        started = time.perf_counter()
        with timed(parts, spots):
            trained = service.train(session, company_id, on, datetime.combine(on, NINE, UTC))
        found = trained.model
        metrics, examples, model_id = dict(found.metrics), found.examples, found.id
        committing = time.perf_counter()
    parts["commit"] = time.perf_counter() - committing
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "parts": _with_rest(parts, seconds), "peak": peak_mib(),
            "base": base, "examples": examples, "metrics": metrics, "model": model_id}  # fmt: skip


def step_score(url: str, company_id: int, on: date) -> dict[str, Any]:
    """`scorer.score` and its commit."""
    parts: dict[str, float] = {}
    spots = [(repository, "book", "read the book"), (scorer, "usable_model", "load the model"),
             (scorer, "_rows", "features"), (scorer, "_customer_scores", "predict customers"),
             (scorer, "_invoice_scores", "predict invoices"), (scorer, "_runs", "payment runs"),
             (repository, "replace_scores", "write scores"),
             (repository, "save_customers", "write customers"), (scorer, "forecast", "forecast"),
             (scorer, "_keep_forecast", "write forecast")]  # fmt: skip
    engine = make_engine(url)
    with transaction(engine, writes=True) as session:
        session.scalar(select(Company.id).limit(1))
        base = peak_mib()
        started = time.perf_counter()
        with timed(parts, spots):
            done = scorer.score(session, company_id, on)
        committing = time.perf_counter()
    parts["commit"] = time.perf_counter() - committing
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "parts": _with_rest(parts, seconds), "peak": peak_mib(),
            "base": base, "customers": done.customers, "invoices": done.invoices,
            "by_model": done.by_model, "model": done.model_id, "fallback": done.fallback,
            "grades": done.grades, "with_runs": done.with_runs}  # fmt: skip


def step_all(url: str, company_id: int, on: date) -> dict[str, Any]:
    """Every invoice of the book (issued by `on`), paid or open: its features as of its issue
    date (from what was settled before it, as training sees it) and its late probability from
    the stored model; days to pay timed apart. Nothing written."""
    engine = make_engine(url)
    with transaction(engine) as session:
        session.scalar(select(Company.id).limit(1))
        base = peak_mib()
        started = time.perf_counter()
        _, fitted, why = scorer.usable_model(session, company_id)
        if fitted is None:
            raise SystemExit(f"no usable model: {why}")
        book = repository.book(session, company_id, on)
        read = time.perf_counter() - started
    predicting = Predicting(fitted)
    looping = time.perf_counter()
    for customer_id, pasts in book.invoices.items():
        debtor = book.debtors[customer_id]
        queries = [(p.issue_date, p.total, p.due_date) for p in pasts]
        for facts in history_facts(debtor, pasts, queries, fitted.beta):
            predicting.add(facts.values, debtor.country)
    predicting.flush()
    loop = time.perf_counter() - looping
    engine.dispose()
    features = loop - predicting.late_s - predicting.days_s - predicting.matrix_s
    return {"read": read, "features": features, "matrix": predicting.matrix_s,
            "late": predicting.late_s, "days": predicting.days_s, "invoices": predicting.n,
            "mean_late": predicting.late_sum / max(1, predicting.n), "peak": peak_mib(),
            "base": base}  # fmt: skip


class Predicting:
    """Rows gathered CHUNK at a time, then turned into a matrix and predicted."""

    def __init__(self, fitted: model.Fitted) -> None:
        self.fitted = fitted
        self.values: list[tuple[float, ...]] = []
        self.countries: list[str] = []
        self.n = 0
        self.late_sum = self.matrix_s = self.late_s = self.days_s = 0.0

    def add(self, values: tuple[float, ...], country: str) -> None:
        self.values.append(values)
        self.countries.append(country)
        if len(self.values) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.values:
            return
        started = time.perf_counter()
        x = model.matrix(self.values, self.countries, self.fitted.countries)
        matrixed = time.perf_counter()
        late = model.late_probability(self.fitted, x)
        predicted = time.perf_counter()
        model.days_to_pay(self.fitted, x)
        self.matrix_s += matrixed - started
        self.late_s += predicted - matrixed
        self.days_s += time.perf_counter() - predicted
        self.n += len(self.values)
        self.late_sum += float(late.sum())
        self.values, self.countries = [], []


def step_build(url: str, invoices: int, customers: int) -> dict[str, Any]:
    summary, seconds = build(Path(url.removeprefix("sqlite:///")), invoices, customers=customers)
    return {"seconds": seconds, "rows": summary.rows, "peak": peak_mib()}


def _with_rest(parts: dict[str, float], seconds: float) -> dict[str, float]:
    return {**parts, "other": max(0.0, seconds - sum(parts.values()))}


def child(options: argparse.Namespace) -> int:
    on = date.fromisoformat(options.on)
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "build": lambda: step_build(options.url, options.invoices, options.customers),
        "train": lambda: step_train(options.url, options.company, on),
        "score": lambda: step_score(options.url, options.company, on),
        "all": lambda: step_all(options.url, options.company, on),
    }
    if options.profile == options.child:
        profiler = cProfile.Profile()
        result = profiler.runcall(steps[options.child])
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    else:
        result = steps[options.child]()
    print(json.dumps(result, default=str))
    return 0


# ------------------------------------------------------------------------------ the parent


def run_child(step: str, url: str, options: argparse.Namespace, company: int = 0) -> Any:
    """One step in a fresh interpreter: its figures, or None if it failed (said why)."""
    command = [sys.executable, str(HERE), "--child", step, "--url", url, "--company",
               str(company), "--on", options.on, "--invoices", str(options.invoices),
               "--customers", str(options.customers)]  # fmt: skip
    if options.profile:
        command += ["--profile", options.profile]
    threads = str(options.threads)
    env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
           "MKL_NUM_THREADS": threads, "PYTHONUNBUFFERED": "1"}  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=CHILD_TIMEOUT_S, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        print(f"  {step}: no answer in {CHILD_TIMEOUT_S} s")
        return None
    lines = done.stdout.rstrip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-5:]
        print(f"  {step} failed (exit {done.returncode}):\n    " + "\n    ".join(tail))
        return None
    for line in lines[:-1]:  # a profile, when asked
        print(f"  | {line}")
    return json.loads(lines[-1])


@dataclass(frozen=True)
class Ledger:
    company: int
    customers: int
    invoices: int
    settled: int  # settled by the day
    paid: int  # … of which with at least one allocation (what training learns from)
    open: int


def ledger(url: str, on: date) -> Ledger | None:
    """The demo company's size and how much of it is settled; None when there is none."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            company = connection.scalar(select(Company.id).where(Company.code == "demo"))
            if company is None:
                return None
            customers = connection.scalar(
                text("SELECT COUNT(*) FROM customer WHERE company_id = :c"), {"c": company}
            )
            row = connection.execute(
                text("""
                    SELECT COUNT(*),
                        SUM(settled_on IS NOT NULL AND settled_on <= :on),
                        SUM(settled_on IS NOT NULL AND settled_on <= :on AND EXISTS (
                            SELECT 1 FROM allocation a WHERE a.invoice_id = invoice.id)),
                        SUM(open_amount > 0)
                    FROM invoice WHERE company_id = :c"""),
                {"c": company, "on": on.isoformat()},
            ).one()
    finally:
        engine.dispose()
    return Ledger(company, int(customers or 0), *(int(v or 0) for v in row))


def prepare(options: argparse.Namespace, path: Path) -> Ledger | None:
    """The demo of the asked size in `path`: reused when there, else built (in a child)."""
    url = f"sqlite:///{path}"
    on = date.fromisoformat(options.on)
    found = ledger(url, on) if path.exists() else None
    if found is not None:
        if (found.invoices, found.customers) != (options.invoices, options.customers):
            print(f"{path} holds {found.invoices:,} invoices of {found.customers:,} customers, "
                  "not the size asked: give another --keep path, or delete it")  # fmt: skip
            return None
        print(f"reusing {path}", flush=True)
    else:
        partial = path.with_name(path.name + ".partial")
        for leftover in path.parent.glob(f"{partial.name}*"):
            leftover.unlink()
        print(f"building the demo: {options.invoices:,} invoices, {options.customers:,} "
              f"customers into {path} …", flush=True)  # fmt: skip
        built = run_child("build", f"sqlite:///{partial}", options)
        if built is None:
            return None
        rows = ", ".join(f"{name} {count:,}" for name, count in built["rows"].items())
        print(f"  built in {built['seconds']:.1f} s (commit included); peak RSS "
              f"{built['peak']:,.0f} MiB; rows: {rows}", flush=True)  # fmt: skip
        for companion in path.parent.glob(f"{partial.name}*"):
            companion.rename(path.with_name(path.name + companion.name[len(partial.name) :]))
        found = ledger(url, on)
    return found


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.1f} %)" if whole else f"{part:,}"


def _parts(parts: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in parts.items())


@dataclass(frozen=True)
class Line:
    figure: str
    target: float | None
    measured: float

    @property
    def ratio(self) -> float | None:
        return None if self.target is None else self.measured / self.target

    @property
    def ok(self) -> bool:
        return self.ratio is None or self.ratio <= 1


def print_table(lines: list[Line]) -> None:
    width = max(len(line.figure) for line in lines)
    print(f"  {'figure':<{width}}  {'target':>9}  {'measured':>9}  ratio")
    for line in lines:
        target = "—" if line.target is None else f"≤ {line.target:,.0f}"
        ratio = "—" if line.ratio is None else f"{line.ratio:.2f}"
        flag = "" if line.ok else "  MISSED"
        print(f"  {line.figure:<{width}}  {target:>9}  {line.measured:>9,.1f}  {ratio}{flag}")


def report_train(found: dict[str, Any]) -> list[Line]:
    metrics = found["metrics"]
    print(f"  train: {found['seconds']:.1f} s ({_parts(found['parts'])}); peak RSS "
          f"{found['peak']:,.0f} MiB (after connecting {found['base']:,.0f}); model "
          f"{found['model']} from {found['examples']:,} paid invoices", flush=True)  # fmt: skip
    print(f"    held back {metrics.get('n', '?'):,}: accuracy {metrics.get('accuracy')}, "
          f"AUC {metrics.get('auc')}, MAE {metrics.get('mae')} days, 90 % coverage "
          f"{metrics.get('coverage')}; days by {metrics.get('days_model')}; paperless "
          f"shift {metrics.get('beta')} days; interval {metrics.get('interval')}",
          flush=True)  # fmt: skip
    return [Line("train, s", TRAIN_S, found["seconds"]),
            Line("train, peak RSS MiB", TRAIN_MIB, found["peak"])]  # fmt: skip


def report_score(found: dict[str, Any]) -> list[Line]:
    grades = ", ".join(f"{g} {n:,}" for g, n in sorted(found["grades"].items()))
    print(f"  score: {found['seconds']:.1f} s ({_parts(found['parts'])}); peak RSS "
          f"{found['peak']:,.0f} MiB; {found['customers']:,} customers ({found['by_model']:,} "
          f"by model {found['model']}) and {found['invoices']:,} open invoices; grades "
          f"{grades}; runs for {found['with_runs']:,}", flush=True)  # fmt: skip
    if found["fallback"]:
        print(f"    rules only: {found['fallback']}")
    return [Line("score (customers + open invoices), s", SCORE_S, found["seconds"]),
            Line("score, peak RSS MiB", None, found["peak"])]  # fmt: skip


def report_all(found: dict[str, Any]) -> list[Line]:
    work = found["features"] + found["matrix"] + found["late"]
    print(f"  all invoices: {found['invoices']:,} as of their issue dates; read the book "
          f"{found['read']:.1f} s, features {found['features']:.1f} s, matrix "
          f"{found['matrix']:.1f} s, late probability {found['late']:.1f} s (days to pay "
          f"{found['days']:.1f} s more); mean late probability {found['mean_late']:.3f}; "
          f"peak RSS {found['peak']:,.0f} MiB", flush=True)  # fmt: skip
    return [Line("all invoices: features + late probability, s", SCORE_S, work),
            Line("all invoices: … with reading the book, s", None, work + found["read"]),
            Line("all invoices, peak RSS MiB", None, found["peak"])]  # fmt: skip


def drive(options: argparse.Namespace, path: Path) -> int:
    scale = options.invoices / INVOICES
    print(f"scoring bench: {options.invoices:,} invoices, {options.customers:,} customers, "
          f"day {options.on}; {os.cpu_count()} cores, {options.threads} thread(s) per step, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    found = prepare(options, path)
    if found is None:
        return 1
    print(f"  ledger: {found.invoices:,} invoices of {found.customers:,} customers; settled "
          f"by {options.on}: {_share(found.settled, found.invoices)}, of which paid with "
          f"allocations {_share(found.paid, found.invoices)}; open "
          f"{_share(found.open, found.invoices)}", flush=True)  # fmt: skip
    url = f"sqlite:///{path}"
    lines: list[Line] = []
    reports = {"train": report_train, "score": report_score, "all": report_all}
    for step in STEPS:
        figures = run_child(step, url, options, found.company)
        if figures is None:
            return 1
        lines += reports[step](figures)
    lines = [
        line if line.target is None or "MiB" in line.figure
        else Line(line.figure, line.target * scale, line.measured)
        for line in lines
    ]  # fmt: skip
    prorated = "" if scale == 1 else f" (time targets prorated to {options.invoices:,} invoices)"
    print(f"summary{prorated}, load average {os.getloadavg()[0]:.1f}:")
    print_table(lines)
    return 0 if all(line.ok for line in lines) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=INVOICES)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--keep", type=Path, help="SQLite file, kept (reused when it exists)")
    parser.add_argument("--threads", type=int, default=1, help="OMP/BLAS threads per step")
    parser.add_argument("--on", default=ON.isoformat(), help=f"scoring day ({ON})")
    parser.add_argument("--profile", choices=STEPS, help="cProfile this step")
    parser.add_argument("--child", choices=("build", *STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--company", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.invoices < 1 or options.customers < 1 or options.threads < 1:
        parser.error("sizes and threads must be positive")
    date.fromisoformat(options.on)
    if options.child:
        return child(options)
    if options.keep is not None:
        return drive(options, options.keep.resolve())
    with tempfile.TemporaryDirectory(prefix="cobro-bench-") as folder:
        return drive(options, Path(folder) / "scoring.db")


if __name__ == "__main__":
    sys.exit(main())
