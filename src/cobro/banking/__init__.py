"""Cash in: bank statements, cash application, SEPA direct debit (issue #6)."""
