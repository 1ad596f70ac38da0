"""The Textual terminal UI: a thin shell over the core use cases."""
