"""Reports read from the ledger: aging now; DSO, CEI and forecasts later."""
