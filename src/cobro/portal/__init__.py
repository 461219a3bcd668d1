"""The debtor portal: a signed, expiring link per customer, no account needed (issue 4 item 4)."""
