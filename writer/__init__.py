"""gene-writer: verified fact sheets, grounded drafts, checks and review for gene pages.

    import writer
    sheet = writer.facts("MT1G")                 # FactSheet
    result = writer.draft("MT1G")                # DraftResult: page, record, report
    report = writer.check(result.page, sheet)    # CheckReport: findings, Checks table

Everything a user imports is listed in ``__all__`` (a test holds it to the module). The
functions ``writer.draft`` and ``writer.check`` share their names with the modules that
implement them (``writer/draft.py``, ``writer/check/``): import from those modules with
``from writer.draft import ...`` / ``from writer.check.claims import ...``, never
``import writer.draft as ...``.
"""

# writer.api imports writer.draft and writer.check first, so the functions bound below
# replace the submodules as attributes of the package once and for all.
from writer.api import BulkResult, Outcome, check, draft, draft_many, facts, facts_many, open_facts
from writer.check.models import CheckReport, Finding
from writer.draft import DraftRecord, DraftResult, SectionRun
from writer.errors import (
    AmbiguousGene,
    BadFile,
    NoFactStore,
    SyncError,
    UnknownGene,
    UserInputError,
    WriterError,
)
from writer.factsheet import Fact, FactSheet
from writer.llm import ModelCall

__all__ = [
    "AmbiguousGene",
    "BadFile",
    "BulkResult",
    "check",
    "CheckReport",
    "draft",
    "draft_many",
    "DraftRecord",
    "DraftResult",
    "Fact",
    "facts",
    "facts_many",
    "FactSheet",
    "Finding",
    "ModelCall",
    "NoFactStore",
    "open_facts",
    "Outcome",
    "SectionRun",
    "SyncError",
    "UnknownGene",
    "UserInputError",
    "WriterError",
]
