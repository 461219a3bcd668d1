"""The collection ranking: features from the ledger, risk models, scores, grades, payment
runs, the cash forecast and policy back-tests (issue #9)."""
