"""Model output is untrusted text: make it one inert Markdown paragraph.

What ``clean`` does, in order:
1. drops ``<script>``/``<style>``/``<iframe>`` elements with their content, HTML comments
   and every other tag (the tag, not the text around it);
2. escapes any ``<`` and ``>`` left (``&lt;``/``&gt;``), so no markup reaches the page;
3. neutralises Jekyll Liquid (``{{ }}``, ``{% %}``) and kramdown attribute lists by
   escaping braces: a published page never executes model text;
4. keeps a Markdown link only when its URL is one of the section's fact links (GO terms,
   sources); any other link, image or reference definition keeps its text only;
5. flattens headings, lists, quotes, code fences and table pipes into one paragraph.

The result still goes through the evaluator like any other text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

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
_BLOCK_MARK = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?|```.*|~~~.*)", re.MULTILINE)


def clean(text: str, allowed_urls: Collection[str] = ()) -> str:
    allowed = {u.strip() for u in allowed_urls}
    text = text.replace("\r\n", "\n").replace("\x00", "")
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
