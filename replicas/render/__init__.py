"""Renderers: a record (replicas.synth or a parser's expected record) printed as a
document. Each output is one module with one pure function, record -> bytes."""

from nianbao.replicas.render.docx import render_docx
from nianbao.replicas.render.html import render_html
from nianbao.replicas.render.pdf import render_pdf
from nianbao.replicas.render.scan import render_scanned_pdf
from nianbao.replicas.render.text import render_text

__all__ = ["render_docx", "render_html", "render_pdf", "render_scanned_pdf", "render_text"]
