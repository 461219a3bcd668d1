"""Notices: what a reminder, demand or letter says, per stage, channel and language (Jinja2)."""
