"""The review queue: curators accept, edit or reject drafts; accepted pages are published.

``writer.review.store.Queue`` is the typed API over the queue file (used by ``writer draft``
to add drafts); ``writer.review.service.ReviewService`` holds the review rules shared by the
CLI (``writer review ...``) and the web page (``writer review serve``).
"""

from writer.review.store import (
    Draft,
    DraftRecord,
    DraftSummary,
    ModelCall,
    Queue,
    Review,
    SectionRun,
    StoredFinding,
)

__all__ = [
    "Draft",
    "DraftRecord",
    "DraftSummary",
    "ModelCall",
    "Queue",
    "Review",
    "SectionRun",
    "StoredFinding",
]
