"""Audit events: who changed what, when, with the row before and after. Append-only."""
