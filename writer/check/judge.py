"""The optional model judge: a language model reads each sentence with the facts it cites.

    judge = ModelJudge(ModelConfig(model="qwen2.5:7b", base_url="http://127.0.0.1:11434/v1"))
    report = check(page_text, sheet, judge=judge)   # rule findings + the judge's
    report.judge.verdicts, report.judge.calls       # every answer, every request
    judge.close()

The rules (``writer.check``) decide; the judge only adds. Per section, the page's prose
sentences are sent in batches of at most ``BATCH`` with the section's facts (and the facts
its claims traced to) through the one model client (``writer.llm.ModelClient``, so retries,
timeouts and the ``ModelCall`` log are the same as for drafting; the API key is never in a
record). The prompt is ``prompts/_judge.md``; the reply must be JSON in the shape of
``Reply`` (requested with ``response_format`` where the server honours it, validated with
pydantic in any case). For each sentence the answer is supported / partly supported /
refuted / not checkable with a reason; refuted and partly supported sentences become
findings (kind ``judge``, status ``flagged``).

Model output is untrusted: a reply that is not that JSON (garbage, HTML, an echo of the
prompt), a sentence it gives no verdict for, or an endpoint that fails (timeout, 5xx after
the retries) makes that sentence ``not checkable: <why>``; it never raises and never
removes a rule's finding. Reasons are cleaned like model text and shortened.

Answers are cached by request (the same section text with the same facts is asked once per
judge), so the eval suite's injections ask only about the section they changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from writer.check.models import JudgeReview, SentenceVerdict, Verdict
from writer.llm import EndpointFailed, EndpointLimit, ModelCall, ModelClient, ModelConfig

if TYPE_CHECKING:
    import httpx

    from writer.check.claims import Claim
    from writer.check.page import Page, Sentence
    from writer.config import ModelSettings
    from writer.factsheet import Fact, FactSheet

JUDGE_PROMPT = "_judge.md"
BATCH = 8  # sentences per request: short replies that a small model can keep in order
REASON_CHARS = 240
CACHE_SIZE = 1024
ECHO_WORDS = 8  # a reply that repeats this many words of the instructions in a row echoes them
SKIPPED_SECTIONS = frozenset({"front_matter", "notes", "checks"})
IDENTITY_KEYS = ("identity.symbol", "identity.name")  # who "the gene" is, in every request


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Answer(_Strict):
    sentence: int = Field(ge=1)
    verdict: Verdict
    reason: str = Field(max_length=2000)


class Reply(_Strict):
    """The reply's required shape: ``{"verdicts": [{"sentence", "verdict", "reason"}]}``."""

    verdicts: list[Answer] = Field(max_length=64)


RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "verdicts", "strict": True, "schema": Reply.model_json_schema()},
}

_FENCE = re.compile(r"^```(?:json)?\s*\n?(.*?)\n?```$", re.S)


class Unusable(ValueError):
    """A reply the judge cannot use; the message says why, in a few words."""


def _start(text: str) -> str:
    text = " ".join(text.split())
    return "\u201c" + (text[:40] + "\u2026" if len(text) > 40 else text) + "\u201d"


def _ngrams(text: str, n: int = ECHO_WORDS) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def parse_reply(text: str, sentences: int, prompt: str = "") -> dict[int, Answer]:
    """The answers of a reply by sentence number (1-based; out-of-range numbers and repeats
    dropped), or ``Unusable``. ``prompt``: instructions a reply must not echo (any run of
    ``ECHO_WORDS`` of its words)."""
    body = text.strip()
    if not body:
        raise Unusable("the reply is empty")
    echoed = _ngrams(body) & _ngrams(prompt) if prompt else set()
    if echoed:
        raise Unusable(f"the reply echoes the prompt ({_start(' '.join(min(echoed)))})")
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        data = json.loads(body)
    except ValueError:
        what = "unfinished or invalid JSON (cut off at the token cap?)" if body.startswith("{") \
            else "not JSON"
        raise Unusable(f"the reply is {what} (it starts {_start(body)})") from None
    try:
        reply = Reply.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "reply"
        raise Unusable(f"the reply is not in the judge's format ({where}: {err['msg']})") \
            from None
    out: dict[int, Answer] = {}
    for a in reply.verdicts:
        if a.sentence <= sentences and a.sentence not in out:
            out[a.sentence] = a
    return out


def clean_reason(text: str) -> str:
    """A model's reason as the report may show it: no markup, one line, short."""
    from writer.phrasers.untrusted import clean

    text = " ".join(clean(text).split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "\u2026"


def _facts_for(section: str, sentences: Sequence[Sentence], claims: Sequence[Claim],
               sheet: FactSheet) -> dict[str, Fact]:
    """The section's facts, the facts its sentences' claims name, and who the gene is."""
    from writer import sections

    facts: dict[str, Fact] = {}
    for key in IDENTITY_KEYS:
        fact = sheet.get(key)
        if fact is not None:
            facts[key] = fact
    # A block the page parser could not place has no section: its claims say what it cites.
    with contextlib.suppress(KeyError):
        facts.update(sections.get(section).facts(sheet))
    for c in claims:
        if c.key and c.key not in facts and any(s.start <= c.start < s.end for s in sentences):
            fact = sheet.get(c.key)
            if fact is not None:
                facts[c.key] = fact
    return facts


def judge_config(settings: ModelSettings, name: str, timeout: float | None = None,
                 max_tokens: int | None = None) -> ModelConfig:
    """The judge's model: ``name`` on the configured endpoint (``writer.config``); raises
    ``UserInputError`` (exit 2) when there is no endpoint or ``name`` is 'template'.
    ``max_tokens`` caps each answer (a batch asks for less when it needs less)."""
    from writer.errors import UserInputError
    from writer.llm import model_config

    config = model_config(settings, name, timeout=timeout, temperature=0.0,
                          max_tokens=max_tokens)
    if config is None or not config.model:
        raise UserInputError(f"--judge needs a model name, not {name!r}")
    return config


class ModelJudge:
    """Judge pages with an OpenAI-compatible endpoint (``config``: temperature and max tokens
    are the judge's own: 0 and a cap per batch)."""

    def __init__(self, config: ModelConfig, *, http_client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 limit: EndpointLimit | None = None) -> None:
        self.config = config
        self.client = ModelClient(config, http_client=http_client, sleep=sleep, limit=limit)
        self._cache: dict[str, list[tuple[Verdict, str]]] = {}
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.config.model

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ModelJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- a page ------------------------------------------------------------------------
    def review(self, page: Page, sheet: FactSheet, claims: Sequence[Claim]) -> JudgeReview:
        """Every prose sentence of ``page`` judged, section by section."""
        by_section: dict[str, list[Sentence]] = {}
        for s in page.sentences:
            if s.section in SKIPPED_SECTIONS or page.blocks[s.block].kind != "paragraph":
                continue
            by_section.setdefault(s.section, []).append(s)
        verdicts: list[SentenceVerdict] = []
        calls: list[ModelCall] = []
        for section, sentences in by_section.items():
            facts = _facts_for(section, sentences, claims, sheet)
            for i in range(0, len(sentences), BATCH):
                batch = sentences[i : i + BATCH]
                answers, made = self._batch(page, sheet, section, batch, facts)
                calls.extend(made)
                for s, (verdict, reason) in zip(batch, answers, strict=True):
                    verdicts.append(SentenceVerdict(
                        section=section, sentence=" ".join(page.text[s.start : s.end].split()),
                        verdict=verdict, reason=reason, start=s.start, end=s.end))
        return JudgeReview(model=self.model, verdicts=verdicts, calls=calls)

    # --- one request ---------------------------------------------------------------------
    def messages(self, sheet: FactSheet, section: str, texts: Sequence[str],
                 facts: dict[str, Fact]) -> list[dict[str, str]]:
        from writer.phrasers.prompting import fact_lines
        from writer.sections import prompt_text

        numbered = "\n".join(f"{n}. {t}" for n, t in enumerate(texts, 1))
        user = (f"Gene: {sheet.symbol}\nSection: {section.replace('_', ' ')}.\n\n"
                f"Facts:\n{fact_lines(facts) or '(none)'}\n\n"
                f"Sentences ({len(texts)}):\n{numbered}")
        return [{"role": "system", "content": prompt_text(JUDGE_PROMPT).strip()},
                {"role": "user", "content": user}]

    def _batch(self, page: Page, sheet: FactSheet, section: str, batch: Sequence[Sentence],
               facts: dict[str, Fact]) -> tuple[list[tuple[Verdict, str]], list[ModelCall]]:
        from writer.sections import prompt_text

        texts = [" ".join(page.text[s.start : s.end].split()) for s in batch]
        messages = self.messages(sheet, section, texts, facts)
        key = hashlib.sha256(json.dumps(messages).encode()).hexdigest()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached, []
        cap = min(self.config.max_tokens, 60 + 80 * len(batch))
        try:
            answer = self.client.complete(messages, purpose="judge",
                                          response_format=RESPONSE_FORMAT, max_tokens=cap,
                                          temperature=0.0)
        except EndpointFailed as exc:  # not cached: a later page may get an answer
            why = f"not checkable: the endpoint failed ({exc})"
            return [("not checkable", why)] * len(batch), exc.calls
        # The instructions must not come back (the facts and sentences may: reasons quote them).
        try:
            parsed = parse_reply(answer.text, len(batch), prompt_text(JUDGE_PROMPT))
            out: list[tuple[Verdict, str]] = [
                (parsed[n].verdict, clean_reason(parsed[n].reason) or "no reason given")
                if n in parsed else ("not checkable", "not checkable: the judge gave no "
                                                     "verdict for this sentence")
                for n in range(1, len(batch) + 1)
            ]
        except Unusable as exc:
            out = [("not checkable", f"not checkable: {exc}")] * len(batch)
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = out
        return out, answer.calls


__all__ = ["BATCH", "JUDGE_PROMPT", "ModelJudge", "Reply", "Unusable", "judge_config",
           "parse_reply"]
