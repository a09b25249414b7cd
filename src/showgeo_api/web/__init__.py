"""The browser app: server-rendered pages (Jinja + htmx) over the same use cases as the API."""
