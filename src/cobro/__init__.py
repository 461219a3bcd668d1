"""Cobro: open-source collections management."""

__version__ = "0.1.0"
