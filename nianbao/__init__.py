"""nianbao: the archive of China's government information-disclosure annual reports.

The stages live in the checkout's top-level folders (``crawler/``, ``archive/``,
``parse/``, ``serve/``, and ``replicas/``) and are imported as ``nianbao.crawler``,
``nianbao.parse`` …, so installing nianbao adds one top-level name, ``nianbao``, and
shadows no other package (``parse`` is also a PyPI package). An installed wheel maps the
folders into ``nianbao/`` (pyproject.toml); in a source checkout the checkout's root
joins this package's path.
"""

from pathlib import Path

__version__ = "0.1.0"

_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "scrapy.cfg").is_file() and (_CHECKOUT / "crawler").is_dir():
    __path__.append(str(_CHECKOUT))  # noqa: F821 - a package's __path__
