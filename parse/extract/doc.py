"""Legacy Word (.doc, and WPS files in the same container) through a converter:
antiword when installed, else LibreOffice headless; neither -> a clear error."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.docx import extract_docx

TIMEOUT = 60


def extract_doc(data: bytes) -> Extracted:
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        source = Path(tmp) / "report.doc"
        source.write_bytes(data)
        if shutil.which("antiword"):
            return _antiword(source)
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if office:
            return _libreoffice(office, source)
    raise ExtractionError("unsupported: a .doc file needs antiword or LibreOffice, and neither is installed")


def _antiword(source: Path) -> Extracted:
    try:
        run = subprocess.run(
            ["antiword", "-w", "0", "-m", "UTF-8.txt", str(source)],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError("antiword timed out") from error
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip() or f"exit {run.returncode}"
        raise ExtractionError(f"antiword cannot read the .doc: {message}")
    text = run.stdout.decode("utf-8", "replace")
    # antiword prints table rows as |cell|cell|.
    lines = [_cells(line) for line in text.splitlines()]
    return Extracted(lines=lines, kind="doc", path="doc-antiword")


def _cells(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        return "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return line


def _libreoffice(office: str, source: Path) -> Extracted:
    try:
        subprocess.run(
            [office, "--headless", "--convert-to", "docx", "--outdir", str(source.parent), str(source)],
            capture_output=True,
            timeout=TIMEOUT * 2,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError("LibreOffice timed out converting the .doc") from error
    converted = source.with_suffix(".docx")
    if not converted.exists():
        raise ExtractionError("LibreOffice could not convert the .doc")
    extracted = extract_docx(converted.read_bytes())
    extracted.kind, extracted.path = "doc", "doc-libreoffice"
    return extracted
