"""Execution of one article notebook with nbclient, in the build's own kernel.

The build never trusts ``metadata.kernelspec`` of the notebook, because the last
person to save it may have had a kernel that exists only on their machine. It runs a fixed kernel (the
``bureau-data`` kernel that ``make install`` registers, or this interpreter's
``ipykernel``), in the notebook's folder, with a time limit per cell, and injects a
first cell that sets the matplotlib backend and resolution. Any output of type
``error`` fails the article, even when the kernel replied ``ok`` (``%%time`` and some
magics print the traceback but swallow the exception), unless the cell is tagged
``raises-exception``.

Failures name cells by their number from 1, as JupyterLab shows them. The message of
an exception of bureau_data (``BureauDataError``) already explains in French what went
wrong and what to do, so its report leaves the traceback in the article's log file.
Reports of other exceptions include their traceback. nbclient's own English log lines go to that log
file too, never to the screen.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from bureau_data.config import ENV_PROVENANCE_LOG
from bureau_data.errors import BuildError
from bureau_data.publish.build import DEFAULT_CELL_TIMEOUT
from bureau_data.publish.metadata import read_notebook

logger = logging.getLogger(__name__)

DEFAULT_KERNEL = "bureau-data"
FALLBACK_KERNEL = "python3"  # ipykernel's own spec for the interpreter running the build

FIGURE_DPI = 100  # resolution of plain matplotlib figures (``plt.show()``)
SETUP_TAG = "bureau-data-setup"
SETUP_TIMEOUT = 120  # seconds for the injected cell, which imports matplotlib
LIBRARY_ERROR_KEY = "bureau_data_error"  # output metadata marking an exception of bureau_data
SOURCE_LINES_SHOWN = 20  # lines of a failing cell's source quoted in the report

# The first cell the build injects, removed again after execution. It fixes the
# backend, the resolution and the PNG metadata, so the same figure gives the same bytes.
SETUP_SOURCE = f"""\
%matplotlib inline
import matplotlib
from matplotlib_inline.backend_inline import set_matplotlib_formats
matplotlib.rcParams["figure.dpi"] = {FIGURE_DPI}
matplotlib.rcParams["savefig.dpi"] = {FIGURE_DPI}
matplotlib.rcParams["svg.hashsalt"] = "bureau-data"
set_matplotlib_formats("png", bbox_inches="tight", dpi={FIGURE_DPI}, metadata={{"Software": None}})
del set_matplotlib_formats


def _bureau_data_mark_error(result):
    # Flags a cell that raised an exception of bureau_data with an output the build
    # removes again, because only the kernel has the exception object.
    try:
        from bureau_data.errors import BureauDataError
    except ImportError:
        return
    if isinstance(result.error_in_exec, BureauDataError):
        from IPython.display import publish_display_data
        publish_display_data({{"text/plain": ""}},
                             metadata={{"{LIBRARY_ERROR_KEY}": type(result.error_in_exec).__name__}})


get_ipython().events.register("post_run_cell", _bureau_data_mark_error)
del _bureau_data_mark_error
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class KernelNotFoundError(BuildError):
    """The kernel the build is configured to use is not installed.

    Examples
    --------
    >>> resolve_kernel("noyau-absent")
    Traceback (most recent call last):
        ...
    bureau_data.publish.execute.KernelNotFoundError: Noyau Jupyter introuvable : ...
    """


class CellFailure(BuildError):
    """A cell of an article notebook raised, printed an error or timed out.

    ``cell_number`` counts from 1 as JupyterLab does (0 is the setup cell the build
    injects). ``library_error`` is True when the exception is a ``BureauDataError``,
    whose French message is enough: ``report()`` then leaves out the traceback.

    Examples
    --------
    >>> failure = CellFailure(Path("notebooks/exemple.ipynb"), 2, "1 / 0",
    ...                       "exception ZeroDivisionError : division by zero", "")
    >>> print(failure)
    Échec de l'article notebooks/exemple.ipynb, cellule 2 (numérotée à partir de 1, comme
    dans JupyterLab) : exception ZeroDivisionError : division by zero
    --- Cellule 2 ---
    1 / 0
    """

    def __init__(self, notebook: Path, cell_number: int, source: str, reason: str, traceback: str,
                 library_error: bool = False) -> None:
        self.notebook = notebook
        self.cell_number = cell_number
        self.source = source
        self.reason = reason
        self.traceback = traceback
        self.library_error = library_error
        super().__init__(self.report(verbose=True))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.notebook, self.cell_number, self.source, self.reason, self.traceback,
                             self.library_error))

    def report(self, *, verbose: bool, log_file: Path | None = None) -> str:
        """Return the French report of the failure.

        Parameters
        ----------
        verbose
            Include the traceback even for an exception of bureau_data.
        log_file
            The file holding the full report, named when the traceback is left out.
        """
        if self.cell_number <= 0:
            where = "la cellule de préparation ajoutée par la construction"
        else:
            where = f"cellule {self.cell_number} (numérotée à partir de 1, comme dans JupyterLab)"
        lines = [f"Échec de l'article {self.notebook}, {where} : {self.reason}",
                 f"--- Cellule {max(self.cell_number, 0)} ---", _trimmed_source(self.source)]
        if self.traceback and (verbose or not self.library_error):
            lines += ["--- Trace ---", self.traceback.rstrip()]
        elif self.traceback and log_file is not None:
            lines.append(f"Trace complète dans {log_file} (ou relancez avec « bureau-data -v construire »).")
        return "\n".join(lines) + "\n"


def _trimmed_source(source: str) -> str:
    lines = source.rstrip().splitlines()
    if len(lines) <= SOURCE_LINES_SHOWN:
        return "\n".join(lines)
    hidden = len(lines) - SOURCE_LINES_SHOWN
    return "\n".join(lines[:SOURCE_LINES_SHOWN] + [f"… ({hidden} ligne(s) de plus)"])


def strip_ansi(text: str) -> str:
    """Remove the terminal colour codes of an IPython traceback.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> strip_ansi("\\x1b[0;31mZeroDivisionError\\x1b[0m: division by zero")
    'ZeroDivisionError: division by zero'
    """
    return _ANSI.sub("", text)


def available_kernels() -> dict[str, str]:
    """Return the installed kernels, name to resource folder, sorted by name.

    Returns
    -------
    dict of str to str
        Kernel names and the folders of their ``kernel.json``.

    Examples
    --------
    >>> "python3" in available_kernels()
    True
    """
    return dict(sorted(KernelSpecManager().find_kernel_specs().items()))


def resolve_kernel(requested: str | None) -> str:
    """Return the name of the kernel to run articles with.

    Parameters
    ----------
    requested
        A kernel name chosen by the user, or None for the default: the
        ``bureau-data`` kernel when installed, otherwise ``python3`` (the ipykernel
        of the interpreter running the build).

    Raises
    ------
    KernelNotFoundError
        When the requested kernel, or both defaults, are missing. The message lists
        the installed kernels.

    Examples
    --------
    >>> resolve_kernel("python3")
    'python3'
    """
    kernels = available_kernels()
    candidates = [requested] if requested else [DEFAULT_KERNEL, FALLBACK_KERNEL]
    for name in candidates:
        if name in kernels:
            return name
    listed = ", ".join(kernels) or "aucun"
    raise KernelNotFoundError(
        f"Noyau Jupyter introuvable : {' ni '.join(repr(c) for c in candidates)}. "
        f"Noyaux installés : {listed}. Lancez « make install » (qui installe le noyau "
        f"{DEFAULT_KERNEL!r}) ou choisissez un noyau installé avec --noyau."
    )


def _setup_cell() -> NotebookNode:
    cell = nbformat.v4.new_code_cell(SETUP_SOURCE)
    cell.metadata["tags"] = [SETUP_TAG]
    return cell


def _cell_timeout(timeout: int, cell: NotebookNode) -> int:
    return max(timeout, SETUP_TIMEOUT) if SETUP_TAG in cell.metadata.get("tags", []) else timeout


def _error_traceback(output: dict[str, Any]) -> str:
    lines = output.get("traceback") or [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
    return strip_ansi("\n".join(lines))


class _ArticleClient(NotebookClient):
    """NotebookClient that fails on error outputs and names the article's cell."""

    def __init__(self, nb: NotebookNode, *, notebook_path: Path, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.notebook_path = notebook_path

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        # The injected setup cell is index 0, so the index is the user's number from 1.
        number = cell_index
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            raise CellFailure(
                self.notebook_path, number, cell.source,
                f"délai dépassé : la cellule tourne depuis plus de {self.timeout} s (délai par cellule)",
                "",
            ) from None
        except CellExecutionError as exc:
            library_error = any(LIBRARY_ERROR_KEY in output.get("metadata", {}) for output in cell.outputs)
            reason = f"{exc.ename} : {exc.evalue}" if library_error else f"exception {exc.ename} : {exc.evalue}"
            raise CellFailure(self.notebook_path, number, cell.source, reason,
                              _cell_traceback(cell, exc), library_error) from None
        except DeadKernelError:
            raise CellFailure(self.notebook_path, number, cell.source,
                              "le noyau s'est arrêté (mémoire épuisée ou plantage)", "") from None

        if "raises-exception" not in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    raise CellFailure(
                        self.notebook_path, number, cell.source,
                        f"sortie d'erreur {output.get('ename', '')} : {output.get('evalue', '')} "
                        "(l'exception a été affichée mais pas propagée, par exemple par %%time)",
                        _error_traceback(output),
                    )
        return result


def _cell_traceback(cell: NotebookNode, exc: CellExecutionError) -> str:
    """Return the kernel's traceback of a failed cell, without nbclient's English preamble."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return _error_traceback(output)
    return f"{exc.ename}: {exc.evalue}"


@dataclass(frozen=True)
class ExecutionSettings:
    """Kernel and time limit the build runs notebooks with.

    Examples
    --------
    >>> ExecutionSettings(kernel_name="python3")
    ExecutionSettings(kernel_name='python3', cell_timeout=300)
    """

    kernel_name: str
    cell_timeout: int = DEFAULT_CELL_TIMEOUT


def kernel_environment(provenance_log: Path) -> dict[str, str]:
    """Return the environment of the kernel: this process's, plus the build's variables.

    Parameters
    ----------
    provenance_log : Path
        The file named by ``BUREAU_DATA_PROVENANCE_LOG`` in the kernel.

    Returns
    -------
    dict of str to str
        Also sets the inline matplotlib backend and ``PYTHONHASHSEED=0``, and removes
        ``JPY_PARENT_PID``.

    Examples
    --------
    >>> env = kernel_environment(Path("/tmp/provenance.jsonl"))
    >>> env["BUREAU_DATA_PROVENANCE_LOG"], env["PYTHONHASHSEED"]
    ('/tmp/provenance.jsonl', '0')
    """
    env = dict(os.environ)
    env[ENV_PROVENANCE_LOG] = str(provenance_log)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYTHONHASHSEED"] = "0"  # stable set and dict-of-set ordering in printed outputs
    env.pop("JPY_PARENT_PID", None)
    return env


def execute_notebook(path: Path, settings: ExecutionSettings, provenance_log: Path,
                     log_file: Path | None = None) -> NotebookNode:
    """Execute a notebook and return the executed copy; the file itself is not modified.

    Parameters
    ----------
    path
        The notebook file.
    settings
        Kernel name and per-cell time limit.
    provenance_log
        The file the kernel's loaders append their provenance records to. It is
        emptied first.
    log_file
        The article's log file, appended to: it receives the kernel process's own
        stderr (start-up warnings, crash messages) and nbclient's log lines. None
        leaves the kernel's stderr on the build's stderr and drops nbclient's lines.

    Returns
    -------
    NotebookNode
        The executed notebook, without the setup cell the build adds first.

    Raises
    ------
    CellFailure
        When a cell raises, prints an error output (unless tagged
        ``raises-exception``), times out, or the kernel dies.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = folder / "exemple.ipynb"
    >>> cell = nbformat.v4.new_code_cell("print(6 * 7)")
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    >>> settings = ExecutionSettings(kernel_name="python3")
    >>> nb = execute_notebook(path, settings, folder / "log.jsonl", folder / "article.log")
    >>> nb.cells[0].outputs[0]["text"]
    '42\\n'
    """
    nb = read_notebook(path)
    nb.metadata["kernelspec"] = {"name": settings.kernel_name, "display_name": settings.kernel_name,
                                 "language": "python"}
    nb.cells.insert(0, _setup_cell())

    provenance_log.parent.mkdir(parents=True, exist_ok=True)
    provenance_log.write_text("", encoding="utf-8")
    # nbclient logs English lines such as « Timeout waiting for execute reply ». They go
    # to the log file, because the French report gives the same facts on screen.
    nbclient_logger = logging.getLogger("bureau_data.publish.nbclient")
    nbclient_logger.setLevel(logging.INFO)
    nbclient_logger.propagate = False
    handler: logging.Handler = (logging.NullHandler() if log_file is None
                                else logging.FileHandler(log_file, encoding="utf-8"))
    handler.setFormatter(logging.Formatter("nbclient %(levelname)s : %(message)s"))
    nbclient_logger.addHandler(handler)
    client = _ArticleClient(
        nb,
        notebook_path=path,
        kernel_name=settings.kernel_name,
        timeout=settings.cell_timeout,
        timeout_func=functools.partial(_cell_timeout, settings.cell_timeout),
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        log=nbclient_logger,
    )
    logger.debug("Exécution de %s avec le noyau %s (Python %s)", path, settings.kernel_name, sys.version.split()[0])
    try:
        if log_file is None:
            client.execute(env=kernel_environment(provenance_log))
        else:
            with open(log_file, "ab") as stderr:
                client.execute(env=kernel_environment(provenance_log), stderr=stderr)
    finally:
        nbclient_logger.removeHandler(handler)
        handler.close()

    nb.cells = [cell for cell in nb.cells if SETUP_TAG not in cell.metadata.get("tags", [])]
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs
                            if LIBRARY_ERROR_KEY not in output.get("metadata", {})]
    return nb
