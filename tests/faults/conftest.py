"""The provider servers' fixtures, shared with the delivery tests."""

from tests.email_delivery.conftest import secrets_env, sendgrid_server

__all__ = ["secrets_env", "sendgrid_server"]
