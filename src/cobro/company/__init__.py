"""Company: the tenant whose receivables Cobro collects."""
