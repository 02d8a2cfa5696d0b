"""The model phraser: any OpenAI-compatible chat endpoint, grounded by the evaluator.

For each section (sections run concurrently, at most ``ModelConfig.concurrency`` at once):

1. ask the model for a paragraph from the section's facts (``prompts/<section>.md``);
2. reject an answer cut off at the token limit or longer than the byte limit
   (``Completion.unusable``), or one that repeats an API key or the system prompt
   (``untrusted.echoes``), then clean it as untrusted text (``writer.phrasers.untrusted``);
3. check it with the evaluator (``writer.check.check``): every claim it cannot trace is
   sent back to the model with the evaluator's reason, and so is every fact the paragraph
   left out; at most ``max_reasks`` re-asks;
4. a paragraph with no untraced claim is used, with a coverage finding for each fact it
   still leaves out; otherwise the section falls back to the template text and the draft
   is flagged with what the model got wrong.

Links are the facts' provenance: a paragraph that names a fact the template links (a GO
term, a pathway, GTEx, the UniProt entry, ...) without its link is re-asked like an
omission (``coverage.unlinked``). The paragraph finally used gets back each such link
whose words it still writes (``restore_links``); one that names a linked fact in other
words, without the link, falls back to the template text: the page never loses a link the
template gives for a fact it states.

Steps 2 to 4 are ``Grounding``, one answer at a time: ``ModelPhraser`` asks and judges in a
loop, and ``writer batch import`` (``writer.batch``) judges the answers of a batch engine's
results file with the same object, sending the re-asks as the next round's requests.

Requests go through ``writer.llm.ModelClient``: endpoint errors (timeouts, connection
errors, 429 and 5xx) are retried there, honouring ``Retry-After``, and every request is
logged as a ``ModelCall``. When the retries run out the section falls back and the error
is reported.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from writer.check import check as evaluator_check
from writer.check import coverage as cov
from writer.check.models import Finding
from writer.factsheet import Fact, FactSheet
from writer.llm import EndpointFailed, EndpointLimit, ModelClient, ModelConfig, redact
from writer.phrasers import Phrased, findings_of, prompting
from writer.phrasers.untrusted import clean, echoes
from writer.sections import Section

if TYPE_CHECKING:
    import httpx

Checker = Callable[[str, FactSheet], Any]  # returns an object with ``.findings`` (Finding)

__all__ = ["Checker", "Grounding", "ModelConfig", "ModelPhraser", "Ungrounded",
           "restore_links"]


class Ungrounded(Exception):
    def __init__(self, text: str, problems: list[Finding], omissions: list[Finding]) -> None:
        super().__init__(f"{len(problems)} untraced claims, {len(omissions)} omissions")
        self.text = text
        self.problems = problems
        self.omissions = omissions


class ModelPhraser:
    """Phrase sections with an OpenAI-compatible endpoint, grounded by ``checker`` (default:
    the evaluator, ``writer.check.check``)."""

    name = "openai"

    def __init__(
        self,
        config: ModelConfig,
        *,
        http_client: httpx.Client | None = None,
        checker: Checker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limit: EndpointLimit | None = None,
    ) -> None:
        self.config = config
        prompting.variant(config.prompt_variant)  # an unknown variant is bad input, at once
        self.client = ModelClient(config, http_client=http_client, sleep=sleep, limit=limit)
        self.checker: Checker = checker or evaluator_check

    # --- public --------------------------------------------------------------------------
    def phrase(self, sections: Sequence[Section], sheet: FactSheet) -> dict[str, Phrased]:
        checker = self.checker
        workers = max(1, min(self.config.concurrency, len(sections)))
        if workers == 1:
            results = [self._section(s, sheet, checker) for s in sections]
        else:
            # The evaluator loads its readers on first use: let it do so while the requests
            # are in flight rather than after the first answer arrives.
            # (Once per process: after that a warm-up is a whole check of CPU per gene.)
            warm = None if _WARMED.is_set() else threading.Thread(
                target=_warm, args=(checker, sections, sheet), daemon=True)
            if warm is not None:
                warm.start()
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="phrase") as pool:
                results = list(pool.map(lambda s: self._section(s, sheet, checker), sections))
            if warm is not None:
                warm.join()
        return {r.section: r for r in results}

    def close(self) -> None:
        """Close the HTTP client, unless the caller passed its own."""
        self.client.close()

    # --- one section ---------------------------------------------------------------------
    def _section(self, section: Section, sheet: FactSheet, checker: Checker) -> Phrased:
        loop = Grounding(section, sheet, self.config, checker, phraser=self.name)
        try:
            while not loop.exhausted:
                raw, unusable = self._complete(section.name, loop.messages, loop.result)
                if loop.judge(raw, unusable):
                    return loop.result
        except EndpointFailed as exc:
            return loop.endpoint_failed(str(exc))
        return loop.give_up()

    # --- one question, with endpoint retries (writer.llm) --------------------------------
    def _complete(self, section: str, messages: list[dict[str, str]], result: Phrased
                  ) -> tuple[str, str | None]:
        """The reply's text, and why it may not be used (``Completion.unusable``)."""
        try:
            answer = self.client.complete(messages, purpose=section,
                                          attempt=result.attempts + 1)
        except EndpointFailed as exc:
            result.attempts += len(exc.calls)
            result.calls.extend(exc.calls)
            raise
        result.attempts += len(answer.calls)
        result.calls.extend(answer.calls)
        result.prompt_tokens += answer.prompt_tokens
        result.completion_tokens += answer.completion_tokens
        return answer.text, answer.unusable



class Grounding:
    """One section's grounding loop, one answer at a time (the rules of the module
    docstring, steps 2 to 4). ``ModelPhraser`` asks and judges in a loop; ``writer batch
    import`` (``writer.batch``) judges the answers of a results file and sends ``messages``
    (the re-ask appended) in the next round's file. Both paths go through ``judge`` and
    ``give_up`` / ``endpoint_failed``, so an answer is judged the same way wherever it came
    from.

    ``result`` is the section's ``Phrased``: the caller adds each answer's requests, tokens
    and attempts to it before calling ``judge``. ``asked`` answers were judged so far; the
    loop is ``exhausted`` after ``1 + max_reasks`` of them.
    """

    def __init__(self, section: Section, sheet: FactSheet, config: ModelConfig,
                 checker: Checker, *, phraser: str = ModelPhraser.name) -> None:
        self.section = section.name
        self.sheet = sheet
        self.checker = checker
        self.template_text = section.template(sheet)
        self.facts = section.facts(sheet)
        self.rounds = 1 + max(config.max_reasks, 0)
        self.result = Phrased(section=section.name, text=self.template_text, phraser=phraser,
                              model=config.model, prompt_variant=config.prompt_variant)
        self.messages = prompting.messages(section, sheet, self.facts, self.template_text,
                                           config.prompt_variant)
        self.urls = prompting.allowed_urls(sheet, self.facts)
        self.secrets = config.all_secrets()
        first = self.messages[0] if self.messages else {}
        self.system = first.get("content", "") if first.get("role") == "system" else ""
        self.asked = 0
        self.best: tuple[str, list[Finding]] | None = None  # grounded text, its omissions
        self.last: Ungrounded | None = None

    @property
    def exhausted(self) -> bool:
        """Every answer the loop may ask for was judged."""
        return self.asked >= self.rounds

    def judge(self, raw: str, unusable: str | None) -> bool:
        """Judge one answer: True when it is used (``result.text``); otherwise the re-ask
        (the answer, then the checker's reasons) is appended to ``messages``."""
        self.asked += 1
        name = self.section
        leaks = echoes(raw, self.secrets, self.system)
        text = clean(raw, self.urls)
        if unusable:  # too long to read, or cut off mid-sentence: never used
            problems = [Finding(kind="reply", status="unverifiable", section=name,
                                reason=unusable)]
            omissions: list[Finding] = []
        elif leaks:  # a secret is never checked, quoted or kept: the reply is ungrounded
            problems = [Finding(kind="secret", status="unverifiable", section=name,
                                reason=reason) for reason in leaks]
            omissions = []
        elif text:
            problems = findings_of(self.checker(text, self.sheet), name)
            omissions = (cov.omitted(name, text, self.facts)
                         + cov.unlinked(name, text, self.template_text, self.facts))
        else:
            problems = [Finding(kind="empty", status="unverifiable", section=name,
                                reason="the model returned no text")]
            omissions = []
        if not problems and not omissions:
            self.result.text = text
            return True
        self.messages.append({"role": "assistant", "content": redact(raw, self.secrets) or ""})
        self.messages.append({"role": "user", "content": prompting.reask(problems + omissions)})
        self.last = Ungrounded(text, problems, omissions)
        if not problems and (self.best is None or len(omissions) < len(self.best[1])):
            self.best = (text, omissions)
        return False

    def endpoint_failed(self, error: str) -> Phrased:
        """No answer came (``error`` says what the endpoint did): the best grounded paragraph
        so far, else the template text with an endpoint finding."""
        result = self.result
        if self.best is not None:
            return self._use(*self.best)
        result.fell_back = True
        result.error = error
        result.findings.append(Finding(
            kind="endpoint", status="failed", section=self.section,
            reason=f"the model endpoint failed ({error}); the section uses the template text",
        ))
        return result

    def give_up(self) -> Phrased:
        """After the last answer: the best grounded paragraph (its omissions recorded), else
        the template text, flagged with the claims the model got wrong."""
        result = self.result
        if self.best is not None:  # grounded, but leaves facts out: use it, record what it omits
            return self._use(*self.best)
        assert self.last is not None
        result.fell_back = True
        n = len(self.last.problems)
        result.error = (f"the model's paragraph still had {n} untraced claim{'s' * (n != 1)} "
                        f"after {result.attempts} requests; the section uses the template text")
        for p in self.last.problems:
            result.findings.append(Finding(
                claim=p.claim, sentence=p.sentence, kind=p.kind, section=self.section,
                status="replaced",
                reason=f"the model wrote this claim, which the evaluator could not trace "
                       f"({p.reason}); the section uses the template text",
            ))
        return result

    def _use(self, text: str, _omissions: list[Finding]) -> Phrased:
        """Use a grounded paragraph that leaves something out: its links restored, and a
        coverage finding for each fact it omits; or, when it names a linked fact without
        the link, the template text."""
        result, facts, template_text = self.result, self.facts, self.template_text
        text, result.links_restored = restore_links(text, template_text, facts)
        lost = cov.unlinked(result.section, text, template_text, facts)
        if lost:
            result.fell_back = True
            result.links_restored = 0
            n = len(lost)
            result.error = (f"the model's paragraph names {n} fact{'s' * (n != 1)} without the "
                            f"link the template gives; the section uses the template text")
            result.findings.extend(f.model_copy(update={
                "status": "replaced",
                "reason": f"the model named {f.claim} without its link; the section uses the "
                          f"template text"}) for f in lost)
            return result
        result.text = text
        result.findings.extend(cov.omitted(result.section, text, facts))
        return result


def restore_links(text: str, template_text: str, facts: dict[str, Fact]) -> tuple[str, int]:
    """``text`` with each link of the template text to a fact put back on the first place
    ``text`` writes the link's words outside a link; and how many were put back."""
    restored = 0
    # Longer names first: "nucleus organization" is linked before "nucleus" could be, inside it.
    links = sorted(cov.template_links(template_text, facts), key=lambda link: -len(link[0]))
    for anchor, url in links:
        if url in cov.link_urls(text):
            continue
        m = cov.bare_name(text, anchor)
        if m is not None:
            text = f"{text[:m.start()]}[{m.group(0)}]({url}){text[m.end():]}"
            restored += 1
    return text, restored


_WARMED = threading.Event()  # the evaluator's readers are loaded in this process


def _warm(checker: Checker, sections: Sequence[Section], sheet: FactSheet) -> None:
    # A warm-up failure shows up again, and is handled, in the real check.
    with contextlib.suppress(Exception):
        checker(sections[0].template(sheet) if sections else sheet.symbol, sheet)
        _WARMED.set()
