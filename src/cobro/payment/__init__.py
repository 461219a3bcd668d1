"""Payments received and their allocations to invoices; unapplied cash stays visible."""
