"""The one web app (``distributor serve``, built in ``app``): the unsubscribe and
preferences pages readers reach from their email, and SendGrid's Event Webhook.

``server`` runs it on waitress, a concurrent server with per-connection timeouts and a
hard cap on request size; each endpoint is a plain WSGI callable.
"""
