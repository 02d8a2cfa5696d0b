"""``writer batch export``: every section request of some genes as a requests file, the
run recorded in the batch state.
"""

from __future__ import annotations

import json
import secrets as random_ids
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.batch.files import CHAT_URL, MAX_REQUESTS, Parts, custom_id
from writer.batch.state import BatchState, now, sheet_hash
from writer.errors import UserInputError
from writer.progress import Progress

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.llm import ModelConfig


@dataclass
class ExportResult:
    run: str
    path: Path
    requests: int = 0
    genes: int = 0
    failed: list[str] = field(default_factory=list)  # one line per bad query
    files: list[tuple[Path, int]] = field(default_factory=list)  # written, with their requests
    unfetched: list[str] = field(default_factory=list)  # --online: genes not fetched, why

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 1 if self.unfetched else 0


def run_config(model: str, settings: Settings, config: dict[str, Any]) -> ModelConfig:
    """The model settings of an exported run, with the keys to keep out of text and logs."""
    from writer.llm import ModelConfig

    return ModelConfig(model=model, api_key=settings.model.api_key,
                       secrets=settings.model.secrets, **config)


def code_hashes(prompt_variant: str) -> dict[str, str]:
    """The template and prompt hashes a model draft records (``writer.draft``), with the
    prompt variant's: import refuses a run whose prompts or templates changed since."""
    from writer.draft import _code_hashes
    from writer.phrasers.prompting import prompt_hashes

    return {**_code_hashes(True, False), **prompt_hashes(variant=prompt_variant)}


def export(
    settings: Settings,
    genes: Sequence[str | int] = (),
    *,
    out: str | Path,
    all_type: str | None = None,
    model: str | None = None,
    prompt_variant: str | None = None,
    max_tokens: int | None = None,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    max_requests: int = MAX_REQUESTS,
    online: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write every section request of ``genes`` (and every gene of type ``all_type``) to
    ``out`` as an OpenAI Batch API requests file (several, ``STEM-1.jsonl`` ..., when they
    are more than ``max_requests`` or 190 MB; 0: no limit on requests), and record the run
    in the batch state. ``online``: from the online sources' facts, as ``writer draft
    --online`` (fetched per gene when no online sync was made). A bad gene query is a line
    of ``ExportResult.failed``, a gene whose online facts could not be fetched one of
    ``ExportResult.unfetched``, not the end of the export."""
    from writer.bulk import fact_sheets, genes_of_type, resolve
    from writer.check import check as evaluator_check
    from writer.config import TEMPLATE_NAMES
    from writer.draft import page_options
    from writer.llm import ModelConfig, request_body
    from writer.phrasers import prompting
    from writer.phrasers.model import Grounding
    from writer.sections import to_phrase
    from writer.store import FactStore

    name = (model if model is not None else settings.model.name or "").strip()
    if name.lower() in TEMPLATE_NAMES:
        raise UserInputError("batch export needs a model name: --model NAME (or "
                             "GENE_WRITER_MODEL, or [model] name in config.toml)")
    date, tag_list, cat_list = page_options(settings, date, tags, categories)
    defaults = ModelConfig(model=name)
    config = {"prompt_variant": prompt_variant or defaults.prompt_variant,
              "max_tokens": max_tokens or defaults.max_tokens,
              "temperature": defaults.temperature, "max_reasks": defaults.max_reasks,
              "attempts": defaults.attempts, "max_reply_bytes": defaults.max_reply_bytes}
    prompting.variant(config["prompt_variant"])  # an unknown variant is bad input, at once
    cfg = run_config(name, settings, config)
    store = FactStore(settings.facts_path)
    todo, failed = resolve(store, [str(g) for g in genes])
    if all_type is not None:
        named = {gid for _, gid in todo}
        todo += [(q, gid) for q, gid in genes_of_type(store, all_type) if gid not in named]
    path = Path(out)
    run = random_ids.token_hex(4)
    result = ExportResult(run=run, path=path, failed=[f"{o.query}: {o.error}" for o in failed])
    tracker = (progress or Progress(enabled=False)).tracker(len(todo), "exporting")
    parts = Parts(path, max_requests)
    with BatchState.of(settings) as state:
        try:
            state.conn.execute("BEGIN")
            state.conn.execute(
                "INSERT INTO runs (id, created, model, config, page, hashes, facts_store, "
                "max_requests) VALUES (?,?,?,?,?,?,?,?)",
                (run, now(), name, json.dumps(config),
                 json.dumps({"date": date, "tags": list(tag_list),
                             "categories": list(cat_list), "online": online}),
                 json.dumps(code_hashes(config["prompt_variant"]), sort_keys=True),
                 store.identity, max_requests))
            for start in range(0, len(todo), 64):
                chunk = todo[start:start + 64]
                sheets = fact_sheets(store, [gid for _, gid in chunk], settings, online)
                for (query, _), sheet in zip(chunk, sheets, strict=True):
                    if isinstance(sheet, str):
                        result.unfetched.append(f"{query}: {sheet}")
                        tracker.advance()
                        continue
                    hashed = sheet_hash(sheet, online)
                    for section in to_phrase(sheet):
                        loop = Grounding(section, sheet, cfg, evaluator_check)
                        part = parts.write({
                            "custom_id": custom_id(run, sheet.gene_id, section.name, 1),
                            "method": "POST", "url": CHAT_URL,
                            "body": request_body(loop.messages, cfg)})
                        state.conn.execute(
                            "INSERT INTO sections (run, gene_id, symbol, section, sheet_hash, "
                            "round, state) VALUES (?,?,?,?,?,1,'waiting')",
                            (run, sheet.gene_id, sheet.symbol, section.name, hashed))
                        state.sent(run, sheet.gene_id, section.name, 1, part)
                        result.requests += 1
                    result.genes += 1
                    tracker.advance()
            result.files = parts.finish()
            state.wrote(run, 1, result.files)
            state.conn.execute("COMMIT")
        except BaseException:
            state.conn.execute("ROLLBACK")
            parts.discard()
            raise
        finally:
            tracker.close()
    return result
