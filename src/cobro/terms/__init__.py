"""Payment terms: net days, end of month, early-payment discount, installments."""
