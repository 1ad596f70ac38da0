"""Code suggestions: keyword rules, a classifier that learns from the researcher, evaluation.

- `rules`: the codebook's keywords matched on lemmas (also the keyword-only baseline);
- `features`, `classifier`: a multi-label linear classifier over segments, calibrated;
- `ensemble`: `Suggester`, which combines both and explains each suggestion;
- `training`: a project's codings and reviewed suggestions turned into training data;
- `service`: suggest for a document and store the suggestions as pending;
- `queue`: the active-learning review queue;
- `evaluate`: honest figures against a gold coding, beside the keyword baseline.

Importing this package is cheap: spaCy and scikit-learn load only when a model is built.
No model is ever written to disk; it is retrained from the project's codings.
"""
