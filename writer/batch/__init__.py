"""``writer batch``: model drafting on a batch engine, in rounds.

    writer batch export MT1G NME1 --model gpt-4o-mini --out requests.jsonl
    writer batch submit requests.jsonl            # OpenAI Batch API: upload, create the batch
    writer batch status batch_abc123              # its state and request counts
    writer batch status --json                    # every run here: state, round, files
    writer batch fetch batch_abc123               # batch_abc123-output.jsonl (and -errors.jsonl)
    vllm run-batch -i requests.jsonl -o results.jsonl --model NAME   # or on a GPU cluster
    writer batch import results.jsonl             # the grounding loop, on the answers

Files are in the OpenAI Batch API format, which ``vllm run-batch`` reads and writes too:

- a requests file has one line per request: ``{"custom_id", "method": "POST", "url":
  "/v1/chat/completions", "body"}``, where ``body`` is exactly the chat request the
  interactive path sends (``writer.llm.request_body`` of ``writer.phrasers.prompting``'s
  messages);
- a results file (the batch's output or error file) has one line per answer: ``{"id",
  "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``; ``body`` is a
  chat.completions response, ``error`` an object (``code``, ``message``) or, from vLLM, a text.

A ``custom_id`` is ``RUN:GENE_ID:SECTION:ROUND`` (``3f9a01c2:4495:function:1``): the export
that wrote it, the gene's NCBI Gene ID, the section and the round. The export records, in
the batch state (``<home>/batch.sqlite``, ``BatchState``), each run's model settings, page
options and prompt and template hashes, and for each (gene, section) the fact sheet's hash
and where its grounding loop stands.

``import`` runs each answer through the interactive path's grounding loop
(``writer.phrasers.model.Grounding``: untrusted-text cleaning, the evaluator, coverage,
links restored). A paragraph that needs a re-ask goes into the next round's requests file
(``RUN-roundN.jsonl`` beside the results, the re-ask messages appended as the interactive
path appends them); after the last round (``1 + max_reasks`` answers) the best grounded
paragraph or the template text is used and the draft flagged. When every section of a gene
is settled, its page is drafted (``writer.draft.make_draft``) and queued like ``writer draft
--model`` would queue it: same record, served model from each answer's ``model``, tokens from
its ``usage``.

A request that failed is treated as the interactive path treats it (``writer.llm``): one
worth asking again (a status of ``writer.llm.retryable_status``: 408, 409, 429, 5xx; an
``error`` code of ``RETRYABLE_CODES``: expired, cancelled, timed out) goes, unchanged, into
the next round's file, up to ``attempts`` requests per question (a re-send is no re-ask);
after the last, or at once for any other failure (400, 401, ...), the section falls back
to the template text with the error in its model log, and the draft is flagged. A request
of a requests file that the results files answer in part, but with no line of its own (the
OpenAI Batch API leaves out requests it did not run; an engine may stop halfway), failed in
the same retryable way: import a batch's output and error files together. Requests files
and the part each request went to are recorded in the batch state for that.

A line that failed for good, whose custom_id no export wrote, or whose gene's fact sheet
changed since the export, is one line in the report (exit 1); a file with no usable line
at all is bad input (exit 2).

The modules: ``files`` (the JSONL formats, custom ids, requests files in parts), ``state``
(the batch state), ``exports``, ``answers`` (one answer judged, in worker processes),
``results`` (``import``: the answers of results files, the next rounds, the drafts queued),
``remote`` (submit, status and fetch through the SDK) and ``cli`` (the commands).
"""

from __future__ import annotations

from writer.batch.cli import batch
from writer.batch.exports import ExportResult, export
from writer.batch.files import custom_id, parse_custom_id
from writer.batch.remote import fetch, status, submit
from writer.batch.results import ImportResult, import_results
from writer.batch.state import BatchState, sheet_hash

__all__ = ["BatchState", "ExportResult", "ImportResult", "batch", "custom_id", "export",
           "fetch", "import_results", "parse_custom_id", "sheet_hash", "status", "submit"]
