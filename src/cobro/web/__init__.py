"""The web layer: HTML pages (Jinja2 + htmx), their security (headers, CSRF), the error pages
and the translations of the interface. `cobro.app` puts it together with the JSON API."""
