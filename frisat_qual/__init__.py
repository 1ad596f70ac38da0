"""frisat-qual: qualitative interview coding and synthesis for research on frisættelse.

Only the version lives here; spaCy, scikit-learn and Textual load lazily where they are used.
"""

__version__ = "0.1.0"
