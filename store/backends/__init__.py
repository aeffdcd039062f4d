"""Where cases are kept. Each backend implements ``store.base.CaseStore``; nothing outside a
backend's own package knows how it stores (an import-linter contract keeps TinyDB in
``store.backends.tinydb``)."""
