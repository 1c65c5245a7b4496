"""bureau_data: open parliamentary and budget data for the articles of the Bureau ouvert.

Importing the package reads no file, opens no connection and changes no matplotlib
setting. Loaders live in submodules (``bureau_data.assemblee``, ``bureau_data.budget``...),
chart helpers in ``bureau_data.plot``, the article build in ``bureau_data.publish``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bureau-data")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
