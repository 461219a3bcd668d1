"""Dated FX rates, per company: what one unit of a currency is worth in the company's
reporting currency on a day, for reports that add up amounts in several currencies."""
