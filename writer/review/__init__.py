"""The review queue: curators accept, edit or reject drafts; accepted pages are published.

``writer.review.store.Queue`` is the typed API over the queue file (used by ``writer draft``
to add drafts); ``writer.review.service.ReviewService`` holds the review rules shared by the
CLI (``writer review ...``) and the web page (``writer review serve``). What the queue stores
is defined by what makes it: ``writer.draft.DraftRecord``, ``writer.llm.ModelCall`` and
``writer.check.models.Finding``.
"""

from writer.review.store import Draft, DraftSummary, Queue, Review

__all__ = ["Draft", "DraftSummary", "Queue", "Review"]
