"""Model output is untrusted text: make it one inert Markdown paragraph.

What ``clean`` does, in order:
0. removes terminal escape sequences and every other control character (``controls``),
   so a reply printed on a terminal cannot move the cursor, retitle the window or hide text;
1. drops ``<script>``/``<style>``/``<iframe>`` elements with their content, HTML comments
   and every other tag (the tag, not the text around it);
2. escapes any ``<`` and ``>`` left (``&lt;``/``&gt;``), so no markup reaches the page;
3. neutralises Jekyll Liquid (``{{ }}``, ``{% %}``) and kramdown attribute lists by
   escaping braces: a published page never executes model text;
4. keeps a Markdown link only when its URL is one of the section's fact links (GO terms,
   sources); any other link, image or reference definition keeps its text only;
5. flattens headings, lists, quotes, code fences and table pipes into one paragraph.

The result still goes through the evaluator like any other text.

Before any of that, ``echoes`` says whether the raw reply repeats something secret: an API
key (the environment's or config.toml's) or the system prompt (any run of
``ECHO_WORDS`` consecutive words of it). Such a reply is never used, whatever else it holds.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

_DANGEROUS = re.compile(
    r"<\s*(script|style|iframe|object|embed|template|noscript)\b.*?(<\s*/\s*\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_LIQUID = re.compile(r"\{[{%].*?[%}]\}", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_]?)"
                     r"|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLOCK_MARK = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?|```.*|~~~.*)", re.MULTILINE)


def controls(text: str) -> str:
    """``text`` without terminal escape sequences (CSI, OSC) and control characters other
    than tab, line feed and carriage return."""
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def clean(text: str, allowed_urls: Collection[str] = ()) -> str:
    allowed = {u.strip() for u in allowed_urls}
    text = controls(text.replace("\r\n", "\n"))
    text = _DANGEROUS.sub(" ", text)
    text = _COMMENT.sub(" ", text)
    text = _TAG.sub("", text)
    text = _BLOCK_MARK.sub("", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _LIQUID.sub("", text)
    text = text.replace("{", "&#123;").replace("}", "&#125;")
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _REF_DEF.sub("", text)

    def keep_link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        return f"[{label}]({url})" if url in allowed else label

    text = _LINK.sub(keep_link, text)
    text = re.sub(r"(?<!\\)\|", r"\\|", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text.startswith('"') and text.endswith('"') and text.count('"') == 2:
        text = text[1:-1].strip()
    return text


ECHO_WORDS = 8  # consecutive words of the system prompt that make a reply an echo of it
_WORD = re.compile(r"[a-z0-9]+")


def echoes(raw: str, secrets: Sequence[str] = (), system_prompt: str = "") -> list[str]:
    """Why ``raw`` may not be used, one reason per kind of echo (never the secret itself):
    it holds one of ``secrets`` (also with spaces or line breaks inside it), or repeats
    ``ECHO_WORDS`` consecutive words of ``system_prompt``."""
    reasons = []
    squeezed = re.sub(r"\s+", "", raw)
    if any(key and (key in raw or key in squeezed) for key in secrets):
        reasons.append("the reply repeats the API key; a secret never reaches a page")
    prompt_words = _WORD.findall(system_prompt.lower())
    if len(prompt_words) >= ECHO_WORDS:
        windows = {tuple(prompt_words[i : i + ECHO_WORDS])
                   for i in range(len(prompt_words) - ECHO_WORDS + 1)}
        words = _WORD.findall(raw.lower())
        if any(tuple(words[i : i + ECHO_WORDS]) in windows
               for i in range(len(words) - ECHO_WORDS + 1)):
            reasons.append("the reply repeats the system prompt instead of describing the "
                           "gene")
    return reasons
