"""Inter-coder agreement, and the walk through disagreements to a consensus coding.

What is compared
- Coders: two or more named coders; by default the project's two coders when it has
  exactly two (names that only hold consensus codings do not count).
- Documents: the current documents (filtered by case attributes if asked) that EVERY
  compared coder has coded, i.e. holds at least one coding of any code by each. Documents
  only some of them coded are reported as skipped, with who coded them.
- Codes: those any compared coder applied on the compared documents, in codebook order
  (with a code filter, only the named codes and their sub-codes). A code nobody applied
  is not compared: it would add only agreement on "no".

Units
- Segments (the main unit): the project's sentence segments of the compared documents. A
  coder applied code c to segment u when one of their codings of c overlaps u by at least
  half of u's length or at least half of the coding's length (`units.applies`): a coding
  that spills a character into the next segment does not count there, a short coding
  inside a long segment does. Each (segment, coder, code) is then 1 or 0.
- "All segments" uses every segment of the compared documents; "coded only" leaves out
  the segments to which no compared coder applied any code at all (of the whole
  codebook, by the same rule), which otherwise inflate agreement on "no".
- Characters: the non-whitespace characters of the compared documents; a coder applied c
  to a character when one of their codings of c covers it. Same statistics, per code and
  pooled. (This is not QualCoder's character "kappa": every character is a unit with a
  yes/no decision per coder, and kappa is Cohen's kappa over those units.)

Statistics (`stats`), per code
- Counts: units only coder X applied the code to (per coder), all coders (both, with
  two), none; with three or more coders also "some" (more than one, not all).
- Percent agreement: the share of units (0-100) where the coders agree; with more than
  two coders, the mean over coder pairs.
- Cohen's kappa: two coders; with more, kappa is undefined (null) and each pair's kappa is
  given instead.
- Krippendorff's alpha, nominal: any number of coders.
Overall: pooled over codes, each (unit, code) decision one item; percent, kappa, alpha of
the pooled table, and separately the plain mean of the per-code kappas (over the codes
where kappa is defined). A statistic that is undefined (no units, or no variation so that
chance agreement is already 1) is None: null in JSON and "–" in tables, never NaN.

Resolution: see `resolution`. The coders' own codings are never changed; the agreed
codings go to a consensus coder, so `agreement(project, [A, "consensus"])` works
like any comparison and the original figures stay reproducible. `resolve` settles one
disagreement; `adopt_agreements` settles every unit the two coders agree on (copying the
lead coder A's codings), so that with both the consensus coder holds a whole coding.
"""

from frisat_qual.agreement.report import (
    VARIANT_TITLES,
    VARIANTS,
    AgreementReport,
    CodeFigures,
    Overall,
    PairFigures,
    Variant,
    agreement,
)
from frisat_qual.agreement.resolution import (
    CONSENSUS,
    AdoptReport,
    CodingMark,
    Disagreement,
    Resolution,
    adopt_agreements,
    consensus_shared_with,
    disagreements,
    find_disagreement,
    parse_id,
    resolve,
)
from frisat_qual.agreement.units import (
    CHARACTER_RULE,
    RULE,
    applies,
    choose_coders,
    coder_pairs,
    default_pair,
    project_coders,
)
from frisat_qual.store.resolutions import DECISIONS

__all__ = [
    "CHARACTER_RULE",
    "CONSENSUS",
    "DECISIONS",
    "RULE",
    "VARIANTS",
    "VARIANT_TITLES",
    "AdoptReport",
    "AgreementReport",
    "CodeFigures",
    "CodingMark",
    "Disagreement",
    "Overall",
    "PairFigures",
    "Resolution",
    "Variant",
    "adopt_agreements",
    "consensus_shared_with",
    "agreement",
    "applies",
    "choose_coders",
    "coder_pairs",
    "default_pair",
    "disagreements",
    "find_disagreement",
    "parse_id",
    "project_coders",
    "resolve",
]
