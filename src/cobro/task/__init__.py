"""Tasks: work for a person — a call to make, a bounced message to look at, a case to open."""
