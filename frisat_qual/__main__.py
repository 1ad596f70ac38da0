"""`python -m frisat_qual` runs the command line (plain call opens the TUI)."""

from frisat_qual.cli import cli

if __name__ == "__main__":  # pragma: no cover
    cli()
