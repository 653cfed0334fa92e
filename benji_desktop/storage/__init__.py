"""Durable local state: where data lives, the capture store, typed settings."""
