"""gene-writer: verified fact sheets, grounded drafts, checks and review for gene pages."""

from writer.api import facts, facts_many, open_facts
from writer.check import check as check
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

__all__ = [
    "AmbiguousGene",
    "BadFile",
    "Fact",
    "FactSheet",
    "NoFactStore",
    "SyncError",
    "UnknownGene",
    "UserInputError",
    "WriterError",
    "facts",
    "facts_many",
    "open_facts",
]
