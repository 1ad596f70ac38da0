"""Exchange with other tools and people: codings as CSV, REFI-QDA projects, merge, backup."""
