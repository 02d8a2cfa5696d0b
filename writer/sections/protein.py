"""Protein properties: Biopython ProtParam values of the canonical protein, with percentiles.

Secondary structure fractions are stated as percentages. Biopython's
``secondary_structure_fraction()`` returns (helix, turn, sheet) in that order; the fact
keys already name each fraction, so nothing here depends on the order.
"""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet
from writer.sections.prose import (
    fact_url,
    float_value,
    join,
    link,
    number,
    paragraph,
    percentile,
    populations_sentence,
)

PROTPARAM_DOCS = "https://biopython.org/docs/latest/api/Bio.SeqUtils.ProtParam.html"

# The order the paragraph states the facts in (and the prompt lists them).
ORDER = (
    "protein.uniprot_accession",
    "protein.gravy",
    "protein.charge_ph7",
    "protein.flexibility_median",
    "protein.helix_fraction",
    "protein.sheet_fraction",
    "protein.turn_fraction",
    "protein.instability_index",
    "protein.isoelectric_point",
    "protein.length",
    "protein.molecular_weight",
)

SHORT = {
    "protein.gravy": "GRAVY score",
    "protein.charge_ph7": "charge",
    "protein.flexibility_median": "flexibility",
    "protein.helix_fraction": "helix propensity",
    "protein.sheet_fraction": "sheet propensity",
    "protein.turn_fraction": "turn propensity",
    "protein.instability_index": "instability index",
    "protein.isoelectric_point": "isoelectric point",
    "protein.length": "sequence length",
    "protein.molecular_weight": "molecular weight",
}

# Decimals each property is written with (rounding only).
DECIMALS = {
    "protein.gravy": 3,
    "protein.charge_ph7": 2,
    "protein.flexibility_median": 3,
    "protein.instability_index": 2,
    "protein.isoelectric_point": 2,
    "protein.molecular_weight": 2,
    "protein.length": 0,
}


def value_text(fact: Fact) -> str:
    v = float_value(fact)
    if v is None:
        return str(fact.value)
    if fact.key.endswith("_fraction"):
        return fraction_text(fact)
    return number(v, DECIMALS.get(fact.key, 2))


def fraction_text(fact: Fact) -> str:
    """A structure fraction as a percentage; the fact may hold a fraction or a percentage."""
    v = float_value(fact) or 0.0
    if (fact.unit or "").strip() in ("%", "percent"):
        return f"{number(v, 2)}%"
    return f"{number(v * 100, 2)}%"


def _with(fact: Fact | None, text: str) -> str:
    if fact is not None and fact.percentile:
        return f"{text} ({percentile(fact.percentile)})"
    return text


def select(sheet: FactSheet) -> dict[str, Fact]:
    return {k: sheet.facts[k] for k in ORDER if k in sheet.facts}


def render(sheet: FactSheet) -> str:
    f = select(sheet)
    numeric = [k for k in f if k != "protein.uniprot_accession"]
    if not numeric:
        return ""
    s: list[str] = []
    acc = f.get("protein.uniprot_accession")
    subject = "the analysed protein sequence"
    if acc is not None:
        subject += f" (UniProt {link(str(acc.value), fact_url(acc))})"
    if (g := f.get("protein.gravy")) is not None:
        gv = float_value(g) or 0.0
        nature = "hydrophobic" if gv > 0 else "hydrophilic"
        s.append(f"{subject} has a GRAVY score of {_with(g, value_text(g))}, "
                 f"indicating a relatively {nature} nature")
        subject = "its"
    else:
        subject = subject + "'s" if acc is None else "the protein's"
    parts = []
    if (c := f.get("protein.charge_ph7")) is not None:
        parts.append(f"{subject} charge at pH 7.0 is {_with(c, value_text(c))}")
    if (fl := f.get("protein.flexibility_median")) is not None:
        parts.append(f"{'its' if parts else subject} median structural flexibility is "
                     f"{_with(fl, value_text(fl))}")
    if parts:
        s.append(join(parts))
    structure = [
        _with(f[k], f"{value_text(f[k])} for {name}")
        for k, name in (("protein.helix_fraction", "helix"), ("protein.sheet_fraction", "sheet"),
                        ("protein.turn_fraction", "turn"))
        if k in f
    ]
    if structure:
        s.append("the secondary structure propensities are " + join(structure))
    if (ii := f.get("protein.instability_index")) is not None:
        iv = float_value(ii) or 0.0
        # ProtParam (Guruprasad et al. 1990): an index above 40 predicts an unstable protein.
        verdict = "unstable" if iv > 40 else "stable"
        s.append(f"the instability index is {_with(ii, value_text(ii))}, which classifies the "
                 f"protein as {verdict}")
    if (pi := f.get("protein.isoelectric_point")) is not None:
        s.append(f"the isoelectric point is {_with(pi, value_text(pi))}")
    length = f.get("protein.length")
    mw = f.get("protein.molecular_weight")
    if length is not None:
        n = float_value(length) or 0
        text = f"the protein is {_with(length, number(n, 0) + ' amino acids long')}"
        if mw is not None:
            text += f", with a molecular weight of {_with(mw, value_text(mw) + ' Da')}"
        s.append(text)
    elif mw is not None:
        s.append(f"the molecular weight is {_with(mw, value_text(mw) + ' Da')}")
    s.append(populations_sentence("protein", [f[k] for k in numeric], SHORT))
    s.append(f"the properties were computed with {link('Biopython ProtParam', PROTPARAM_DOCS)}")
    return paragraph(s)

