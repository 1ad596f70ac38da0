"""Getting interviews into a project: one reader per file format, speaker-turn detection
and the case manifest that ties each interview to its case (rolle, kommune, omraade).

`formats.read_source` reads a transcript into normalised text and turns, `turns` finds
and names the speakers, and `manifest.read_manifest` reads the CSV of case attributes.
"""
