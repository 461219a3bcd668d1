"""Statutory late-payment interest and fixed compensation (issue #5)."""
