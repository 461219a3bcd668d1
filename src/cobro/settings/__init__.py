"""Company settings: the company's own details, its members and their roles, and the channels
it sends through (SMTP, SMS/WhatsApp gateways), kept in the database."""
