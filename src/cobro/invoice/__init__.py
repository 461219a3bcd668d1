"""Invoices, their installments, credit notes and write-offs."""
