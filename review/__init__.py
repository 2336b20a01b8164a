"""Placeholder package; the feature lands with its issue."""
