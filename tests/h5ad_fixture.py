"""A small AnnData file (``.h5ad``, HDF5) in the layout of Replogle 2022's
``K562_gwps_normalized_bulk_01.h5ad``, written with h5py alone.

The layout follows the anndata on-disk format and what readers of the real file use: ``X``
a dense float32 matrix (perturbations x measured genes); ``obs`` a dataframe group whose
``_index`` attribute names its index column ``gene_transcript``
(``<n>_<SYMBOL>_<P1|P2|P1P2>_<ENSG>``), with the numeric columns of the real file's obs
(``mann_whitney_counts`` among them); ``var`` indexed by ``gene_id`` with ``gene_name`` a
categorical, in the real file's legacy encoding (integer codes, names in
``var/__categories/gene_name``) or, with ``modern=True``, anndata 0.8+'s (a group with
``codes`` and ``categories``). The content is synthetic: no real row of the file is recorded
(tests/fixtures/online/README.md)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

OBS_COLUMNS = ("UMI_count_unfiltered", "num_cells_unfiltered", "num_cells_filtered",
               "core_control", "mann_whitney_counts", "anderson_darling_counts")


def write_h5ad(path: Path, perturbations: Sequence[tuple[str, str, str, int]],
               genes: Sequence[tuple[str, str]], values: Sequence[Sequence[float]], *,
               modern: bool = False, drop: Sequence[str] = ()) -> Path:
    """``perturbations``: (symbol, guide, Ensembl ID, DE-gene count), "non-targeting" rows
    allowed; ``genes``: (Ensembl ID, symbol) of the measured genes; ``values``: one row per
    perturbation. ``drop`` leaves out obs/var members (a changed format)."""
    import h5py
    import numpy as np

    strings = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as f:
        f.attrs["encoding-type"] = "anndata"
        f.attrs["encoding-version"] = "0.1.0"
        f.create_dataset("X", data=np.asarray(values, dtype=np.float32))
        obs = f.create_group("obs")
        labels = [f"{n}_{s}_{g}_{e}" if s != "non-targeting" else
                  f"{n}_non-targeting_non-targeting_non-targeting"
                  for n, (s, g, e, _) in enumerate(perturbations)]
        columns = [c for c in OBS_COLUMNS if c not in drop]
        _frame(obs, "gene_transcript", columns)
        obs.create_dataset("gene_transcript", data=labels, dtype=strings)
        for c in columns:
            data = [p[3] if c == "mann_whitney_counts" else
                    int(p[0] == "non-targeting") if c == "core_control" else 100
                    for p in perturbations]
            obs.create_dataset(c, data=np.asarray(data, dtype=np.int64))
        var = f.create_group("var")
        _frame(var, "gene_id", [c for c in ("gene_name",) if c not in drop])
        var.create_dataset("gene_id", data=[e for e, _ in genes], dtype=strings)
        if "gene_name" not in drop:
            names = sorted({s for _, s in genes})
            codes = np.asarray([names.index(s) for _, s in genes], dtype=np.int16)
            if modern:
                group = var.create_group("gene_name")
                group.attrs["encoding-type"] = "categorical"
                group.attrs["encoding-version"] = "0.2.0"
                group.attrs["ordered"] = False
                group.create_dataset("codes", data=codes)
                group.create_dataset("categories", data=names, dtype=strings)
            else:
                var.create_dataset("gene_name", data=codes)
                var.create_group("__categories").create_dataset("gene_name", data=names,
                                                                dtype=strings)
    return path


def _frame(group, index: str, columns: Sequence[str]) -> None:  # noqa: ANN001 - h5py Group
    group.attrs["_index"] = index
    group.attrs["column-order"] = list(columns)
    group.attrs["encoding-type"] = "dataframe"
    group.attrs["encoding-version"] = "0.2.0"
