"""Import and export of ledger files: customers, invoices and payments from CSV or Excel;
open items to CSV or Excel."""
