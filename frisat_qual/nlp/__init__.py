"""The spaCy pipeline (blank Danish, lookup lemmas, sentence splitting) and segmentation."""

from frisat_qual.nlp.pipeline import get_nlp, lemmatise
from frisat_qual.nlp.segment import SegmentSpan, segment_document

__all__ = ["SegmentSpan", "get_nlp", "lemmatise", "segment_document"]
