"""Channels: one delivery handed to one provider."""
