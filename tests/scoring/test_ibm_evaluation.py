"""Issue #9's evaluation on real data: IBM's "Accounts Receivable" sample, imported through the
normal importer, split by time (the last 20 % of invoices by invoice date are the test set),
features from invoices settled before each invoice's date only.

The baselines are reproduced to the digit the issue quotes them (always on time 0.717, past late
rate 0.808, customer mean MAE 6.50). The model beats them on AUC and MAE; the issue's targets
(accuracy ≥ 0.84, AUC ≥ 0.88, MAE ≤ 5.0) are not reached without leakage on this data set: see
docs/research/ar-late-payment-model.md (a model that cheats on purpose reaches 0.838 / 0.902 /
5.22). The figures are pinned within a small band so that a change that makes the model worse
fails here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cobro.importer.mapping import load_mapping
from cobro.importer.service import ImportOptions, import_file
from cobro.scoring.service import evaluate
from tests.conftest import shared_file
from tests.factories.ledger import make_company

MAPPING = Path(__file__).resolve().parents[2] / "docs/examples/ibm-accounts-receivable.toml"


def test_the_model_beats_the_baselines_on_ibms_receivables(session: Session) -> None:
    path = shared_file("ar/WA_Fn-UseC_-Accounts-Receivable.csv")
    company = make_company(session, country="US", currency="USD")
    options = ImportOptions(mapping=load_mapping("invoices", MAPPING), create_customers=True)
    assert import_file(session, company, "invoices", path, options).problems == []

    found = evaluate(session, company.id, date(2014, 12, 31))  # every invoice paid by then

    assert (found.train, found.test, found.first_test_day) == (1972, 494, date(2013, 7, 12))
    assert round(found.on_time_accuracy, 3) == 0.717
    assert round(found.past_rate_accuracy, 3) == 0.808
    assert round(found.customer_mean_mae, 2) == 6.50
    model = found.model
    assert model.accuracy == pytest.approx(0.820, abs=0.01)
    assert model.auc is not None
    assert model.auc == pytest.approx(0.878, abs=0.005)
    assert model.mae == pytest.approx(5.47, abs=0.05)
    assert model.auc > (found.past_rate_auc or 0) + 0.02
    assert model.mae < found.customer_mean_mae - 0.9
    assert model.accuracy > found.past_rate_accuracy
    assert model.coverage is not None
    assert model.coverage >= 0.85  # the 90 % interval holds about that share
