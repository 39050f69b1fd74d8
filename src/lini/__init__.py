"""Lini: information system for the field line of Indonesia's family-planning programme."""

__version__ = "0.1.0"
