"""Notes: what a collector writes down about a customer, and the calls they log with their
outcome."""
