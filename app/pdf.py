"""HTML -> PDF for enforcement documents (执法文书, SPEC §7), with the Chinese fonts embedded.

`render_pdf(template, **context)` renders a Jinja template of the app (normally one extending
`pdf/base.html`) and converts it; `html_to_pdf(html)` converts a ready string. Both return the PDF bytes;
storing them and entering their hash in the ledger is the caller's business.

The page follows GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm, Noto Serif CJK SC (the Song-style face) for text, page numbers "第 N 页 共 M 页" in the footer.
That page style is applied as a user stylesheet, so a template's own <style> overrides it.

Resources: a document may load images and stylesheets only from data: URIs and from files below its base
directory (the app package for `render_pdf`). Anything else, notably http(s) URLs that could come from user
input, is refused, so rendering never reaches the network.

WeasyPrint takes most of a second to import, so it is imported on first use, not with this module.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)

FONT_FAMILY = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'

PAGE_CSS = f"""
@page {{
  size: A4;
  margin: 37mm 26mm 35mm 28mm;
  @bottom-center {{
    content: "第 " counter(page) " 页 共 " counter(pages) " 页";
    font-family: {FONT_FAMILY};
    font-size: 10.5pt;
    vertical-align: top;
    padding-top: 7mm;
  }}
}}
html {{
  font-family: {FONT_FAMILY};
  font-size: 16pt;
  line-height: 1.8;
  color: #000;
}}
"""


@lru_cache(maxsize=1)
def _weasyprint():
    import weasyprint

    return weasyprint


def _url_fetcher(allowed_root: Path | None):
    weasyprint = _weasyprint()

    def fetch(url, *args, **kwargs):
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        parsed = urlparse(url)
        if parsed.scheme == "file" and allowed_root is not None:
            path = Path(unquote(parsed.path)).resolve()
            if path.is_relative_to(allowed_root):
                return weasyprint.default_url_fetcher(url, *args, **kwargs)
        log.warning("PDF resource refused: %s", url)
        raise ValueError(f"resource not allowed in a PDF document: {url}")

    return fetch


def _allowed_root(base_url) -> Path | None:
    if base_url is None:
        return None
    base = str(base_url)
    parsed = urlparse(base)
    if parsed.scheme == "file":
        base = unquote(parsed.path)
    elif parsed.scheme:
        return None  # a remote base URL: nothing relative to it may be fetched
    path = Path(base).resolve()
    return path if path.is_dir() else path.parent


def html_to_pdf(html: str, base_url=None) -> bytes:
    """Convert an HTML string to PDF bytes. `base_url`: a directory (path or file: URI) for relative links."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    root = _allowed_root(base_url)
    if root is not None:
        base_url = root.as_uri() + "/"
    font_config = FontConfiguration()
    fetcher = _url_fetcher(root)
    page_css = weasyprint.CSS(string=PAGE_CSS, font_config=font_config, url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[page_css], font_config=font_config)


def render_pdf(template: str, **context) -> bytes:
    """Render the app template `template` with `context` and convert it. Needs an app context.

    The template gets the app's Jinja environment (filters, globals, autoescaping) but not the
    context processors of web pages: documents are also produced by CLI commands and background jobs,
    outside any request, and must depend only on the context they are given.
    """
    from flask import current_app

    html = current_app.jinja_env.get_template(template).render(context)
    return html_to_pdf(html, base_url=current_app.root_path)
