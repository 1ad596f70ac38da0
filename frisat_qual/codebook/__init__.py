"""Codebooks: the YAML format, REFI-QDA .qdc exchange, and codebook changes in a project."""
