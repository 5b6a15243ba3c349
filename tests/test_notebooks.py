"""The example notebooks run from top to bottom without an error.

Each notebook is executed with nbclient in a temporary copy of the layout it
expects (``notebooks/`` with its ``data/`` folder beside ``inventories/``), so
the committed notebooks and their saved outputs are never touched.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 300  # seconds, per notebook


def test_the_notebooks_are_there() -> None:
    assert [path.name for path in NOTEBOOKS] == [
        "01-quickstart.ipynb", "02-nhs-gp-practices.ipynb", "03-assumptions-sensitivity.ipynb",
        "04-reorganisation.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_error(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy2(path, folder / path.name)
    if (ROOT / "notebooks" / "data").is_dir():
        shutil.copytree(ROOT / "notebooks" / "data", folder / "data")
    shutil.copytree(ROOT / "inventories", tmp_path / "inventories")
    monkeypatch.setenv("MPLBACKEND", "Agg")

    notebook = nbformat.read(folder / path.name, as_version=4)
    client = NotebookClient(notebook, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(folder)}})
    started = time.monotonic()
    client.execute()  # raises CellExecutionError on the first cell that fails
    elapsed = time.monotonic() - started

    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    assert elapsed < TIMEOUT, f"{path.name} took {elapsed:.0f} s"
