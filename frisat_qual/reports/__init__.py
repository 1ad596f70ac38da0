"""Synthesis reports: code frequencies, cross-tabs, co-occurrence, the staircase view and
quote lists. The core functions live in `reports.tables` and return plain dataclasses."""
