"""The bytes of a report document, from the renderers in ``replicas.render``."""

from __future__ import annotations

from nianbao.replicas.render.html import render_html

# How each attachment format is named and typed on the wire.
ATTACHMENT_TYPES = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    # Portals often rename Word files: a ".doc" link whose bytes are DOCX, typed as Word 97.
    "doc": ("doc", "application/msword"),
    "download": ("pdf", "application/octet-stream"),
}


def article_html(record: dict) -> str:
    """The report as an article fragment (title, paragraphs, tables) for a detail page."""
    return render_html(record, chrome=False).decode("utf-8")


def attachment(record: dict, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, file extension, Content-Type) of a report published as an attachment."""
    ext, content_type = ATTACHMENT_TYPES[fmt]
    if ext == "pdf":
        from nianbao.replicas.render.pdf import render_pdf

        return render_pdf(record), ext, content_type
    from nianbao.replicas.render.docx import render_docx

    return render_docx(record), ext, content_type
