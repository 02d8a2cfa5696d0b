"""``writer batch submit / status / fetch``: the OpenAI Batch API's files and batches
endpoints, through the SDK of the model client (``writer.llm``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.batch.files import CHAT_URL, parse_custom_id, read_lines
from writer.batch.state import BatchState
from writer.errors import BadFile, UserInputError, WriterError

if TYPE_CHECKING:
    from writer.config import Settings


def _client(settings: Settings, http_client: Any = None) -> Any:
    """A model client on the configured endpoint (``writer.config``: OPENAI_BASE_URL,
    OPENAI_API_KEY or config.toml [model]); its ``sdk`` reaches the files and batches
    endpoints."""
    from dataclasses import replace

    from writer.llm import ModelClient, ModelConfig

    chosen = replace(settings.model, name=None).select("batch")
    assert chosen is not None
    config = ModelConfig(model=settings.model.name or "batch", base_url=chosen.base_url,
                         api_key=chosen.api_key, secrets=chosen.secrets, timeout=300.0)
    return ModelClient(config, http_client=http_client)


def _endpoint_error(exc: Exception, what: str) -> WriterError:
    import openai

    from writer.llm import describe, redact

    line = redact(f"{what}: {describe(exc)}") or what
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 404):
        return UserInputError(line)
    return WriterError(line)


def _first_request(path: Path) -> dict[str, Any]:
    """The first request line of ``path``; ``BadFile`` unless it starts with one."""
    for number, line in read_lines(path):
        if isinstance(line, dict) and {"custom_id", "method", "url", "body"} <= set(line):
            return line
        why = line if isinstance(line, str) else "not a batch request (custom_id, method, " \
                                                 "url, body)"
        raise BadFile(f"{path} line {number}: {why}")
    raise BadFile(f"{path}: no requests (an empty file?)")


def submit(settings: Settings, path: str | Path, *, http_client: Any = None) -> Any:
    """Upload a requests file (purpose "batch") and create its batch; the ``Batch``."""
    import openai

    path = Path(path)
    parsed = parse_custom_id(_first_request(path)["custom_id"])
    with _client(settings, http_client) as client:
        try:
            with path.open("rb") as f:  # up to 190 MB: streamed, not read into memory
                uploaded = client.sdk.files.create(file=(path.name, f), purpose="batch")
            created = client.sdk.batches.create(input_file_id=uploaded.id, endpoint=CHAT_URL,
                                                completion_window="24h",
                                                metadata={"made_by": "gene-writer"})
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot submit {path.name}") from None
    with BatchState.of(settings) as state:
        known = parsed is not None and state.run(parsed[0]) is not None
        state.submitted(batch_json(created), parsed[0] if known else None,
                        parsed[3] if known else None, path)
    return created


def status(settings: Settings, batch_id: str, *, http_client: Any = None) -> dict[str, Any]:
    """The batch as the endpoint describes it now (state, request counts, output and error
    file ids; ``batch_json``), recorded in the batch state, with the run, round and requests
    file it was submitted from (None when not submitted from this home folder)."""
    import openai

    with _client(settings, http_client) as client:
        try:
            batch = client.sdk.batches.retrieve(batch_id)
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot read batch {batch_id}") from None
    with BatchState.of(settings) as state:
        return state.seen(batch_json(batch))


def fetch(settings: Settings, batch_id: str, *, out_dir: str | Path = ".",
          http_client: Any = None) -> list[Path]:
    """Download the batch's output and error files (``ID-output.jsonl``,
    ``ID-errors.jsonl``) into ``out_dir``; the paths written."""
    import openai

    out = Path(out_dir)
    written = []
    with _client(settings, http_client) as client:
        try:
            batch = client.sdk.batches.retrieve(batch_id)
            with BatchState.of(settings) as state:
                state.seen(batch_json(batch))
            files = [(batch.output_file_id, "output"), (batch.error_file_id, "errors")]
            if not any(fid for fid, _ in files):
                raise WriterError(f"batch {batch_id} is {batch.status}: no output file yet")
            for file_id, kind in files:
                if not file_id:
                    continue
                content = client.sdk.files.content(file_id)
                path = out / f"{_safe(batch_id)}-{kind}.jsonl"
                try:
                    out.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content.content)
                except OSError as exc:
                    raise BadFile(f"cannot write {path}: {exc.strerror or exc}") from None
                written.append(path)
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot fetch batch {batch_id}") from None
    return written


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100]


def batch_json(batch: Any) -> dict[str, Any]:
    """What ``writer batch status --json`` shows of an SDK ``Batch``."""
    counts = batch.request_counts
    errors = getattr(batch.errors, "data", None) or []
    return {"id": batch.id, "status": batch.status,
            "request_counts": None if counts is None else {
                "total": counts.total, "completed": counts.completed, "failed": counts.failed},
            "output_file_id": batch.output_file_id, "error_file_id": batch.error_file_id,
            "errors": [{"code": getattr(e, "code", None), "message": getattr(e, "message", None),
                        "line": getattr(e, "line", None)} for e in errors]}
