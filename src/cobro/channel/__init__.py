"""Channels: the ways a message reaches a debtor (email, SMS, WhatsApp, letters, webhooks)."""
