"""Customer (debtor) and their contacts."""
