"""The worklist: a company's customers with overdue items, most urgent first, each with the
reason in words, and the quick moves a collector makes on each (log a call, note, pause, send
now)."""
