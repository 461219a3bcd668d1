"""A realistic demo company: customers in six countries, 18 months of invoices, payments drawn
from payment behaviours, credit notes and write-offs, so every screen and report has data.

`generator` draws the rows (no database), `service` writes them, `cli` is the `cobro demo`
command."""
