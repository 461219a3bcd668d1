"""Outgoing webhooks (signed JSON POSTs to URLs companies subscribe) and the account emails
that, like them, belong to no customer; both are deliveries the worker drains."""
