"""The web endpoints readers reach from their email: unsubscribe and preferences.

``server`` runs them on waitress, a concurrent server with per-connection timeouts and a
hard cap on request size; the apps themselves are plain WSGI callables.
"""
