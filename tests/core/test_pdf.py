"""PDF documents: Chinese text survives, CJK fonts are embedded, the page is GB/T 9704 A4.

The output is checked with poppler (pdftotext, pdffonts, pdfinfo, pdfimages), i.e. the way a reader of the
file would see it, not through WeasyPrint's own objects.
"""
import http.server
import io
import logging
import re
import subprocess
import threading
from datetime import date

import pytest

from app.pdf import html_to_pdf, render_pdf

MM = 72 / 25.4

AGENCY = "临江市城市管理行政执法局"
TITLE = "行政处罚决定书"
NUMBER = "临城管罚〔2026〕12号"
FACT = ("经查，当事人于2026年2月10日在临江市建国大街88号门前擅自设置户外广告牌一块，"
        "面积约12平方米，未取得城市管理部门的设置许可。")


def sample_context(**overrides):
    context = dict(
        agency_name=AGENCY,
        title=TITLE,
        doc_number=NUMBER,
        issued_on=date(2026, 3, 5),
        party=dict(name="临江市鸭绿江商贸有限公司", credit_code="91220681000000019F",
                   representative="王某某", address="吉林省临江市建国大街88号"),
        facts=[FACT],
        legal_basis="《吉林省城市市容和环境卫生管理条例》第十七条",
        penalty="一、责令限期拆除违法设置的户外广告牌；二、罚款人民币贰仟元整。",
    )
    context.update(overrides)
    return context


def run(tool, *args, data: bytes, tmp_path, name="doc.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          check=True, capture_output=True, text=True).stdout


def squeeze(text):
    """pdftotext breaks lines and spaces CJK text freely; compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def sample_pdf(app):
    with app.app_context():
        return render_pdf("pdf/sample.html", **sample_context())


def test_render_works_in_an_app_context_without_a_request(app_ctx):
    # As in a CLI command or a background job: no request, so no web-page context processors.
    pdf = render_pdf("pdf/sample.html", **sample_context())
    assert pdf.startswith(b"%PDF-")


def test_chinese_text_is_extractable(sample_pdf, tmp_path):
    text = squeeze(run("pdftotext", data=sample_pdf, tmp_path=tmp_path))
    assert AGENCY in text
    assert TITLE in text
    assert NUMBER in text
    assert squeeze(FACT) in text
    assert "临江市鸭绿江商贸有限公司" in text
    assert "2026年3月5日" in text
    # The signature comes after the body, the agency name heads the document.
    assert text.index(AGENCY) < text.index(TITLE) < text.index(NUMBER) < text.index("本机关认为")
    assert text.rindex(AGENCY) > text.index("不停止执行")


def test_cjk_fonts_are_embedded(sample_pdf, tmp_path):
    lines = run("pdffonts", data=sample_pdf, tmp_path=tmp_path).splitlines()[2:]
    assert lines, "no fonts in the PDF"
    fonts = []
    for line in lines:
        # name, type (may contain spaces), encoding, emb, sub, uni, object id, generation
        cols = line.split()
        fonts.append({"name": cols[0], "type": " ".join(cols[1:-6]), "emb": cols[-5], "uni": cols[-3]})
    assert any("CJK" in f["name"] for f in fonts)
    for f in fonts:
        assert f["emb"] == "yes", f
        assert f["uni"] == "yes", f  # text can be copied and searched
        assert "Type 3" not in f["type"], f


def test_no_missing_glyphs(app_ctx, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf("pdf/sample.html", **sample_context(facts=["生僻字也要有字形：龘、鬱、齉。"]))
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]


def test_page_is_a4_with_page_numbers(sample_pdf, tmp_path):
    info = run("pdfinfo", data=sample_pdf, tmp_path=tmp_path)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width == pytest.approx(595.28, abs=0.5)
    assert height == pytest.approx(841.89, abs=0.5)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = squeeze(run("pdftotext", data=sample_pdf, tmp_path=tmp_path))
    for page in range(1, pages + 1):
        assert f"第{page}页共{pages}页" in text


def test_long_document_runs_over_pages(app_ctx, tmp_path):
    pdf = render_pdf("pdf/sample.html", **sample_context(facts=[FACT] * 40))
    info = run("pdfinfo", data=pdf, tmp_path=tmp_path)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    assert f"第{pages}页共{pages}页" in squeeze(run("pdftotext", data=pdf, tmp_path=tmp_path))


def test_text_stays_inside_the_gbt9704_type_area(sample_pdf, tmp_path):
    """Margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; only the page number sits below."""
    html = run("pdftotext", "-bbox", data=sample_pdf, tmp_path=tmp_path)
    words = [(float(x0), float(y0), float(x1), float(y1), w) for x0, y0, x1, y1, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    assert words
    tolerance = 1.0
    body = [w for w in words if not re.fullmatch(r"第|\d+|页|共", w[4])]
    assert min(w[0] for w in body) >= 28 * MM - tolerance
    assert max(w[2] for w in body) <= 595.28 - 26 * MM + tolerance
    assert min(w[1] for w in body) >= 37 * MM - tolerance
    assert max(w[3] for w in body) <= 841.89 - 35 * MM + tolerance
    footer = [w for w in words if w[1] > 841.89 - 35 * MM]
    assert footer and all(w[3] < 841.89 - 10 * MM for w in footer)


def test_html_to_pdf_without_an_app(tmp_path):
    pdf = html_to_pdf('<html lang="zh-CN"><body><p>送达回证：受送达人签名。</p></body></html>')
    assert "送达回证：受送达人签名。" in squeeze(run("pdftotext", data=pdf, tmp_path=tmp_path))


def png() -> bytes:
    from PIL import Image  # a WeasyPrint dependency

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_local_files_below_base_url_are_loaded(tmp_path):
    (tmp_path / "seal.png").write_bytes(png())
    pdf = html_to_pdf('<p>印章</p><img src="seal.png" style="width:40mm">', base_url=tmp_path)
    listing = run("pdfimages", "-list", data=pdf, tmp_path=tmp_path).splitlines()[2:]
    assert len(listing) == 1


def test_network_and_outside_files_are_never_fetched(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        inside = tmp_path / "doc"
        inside.mkdir()
        (tmp_path / "secret.png").write_bytes(png())
        html = (f'<link rel="stylesheet" href="{url}/style.css"><img src="{url}/track.png">'
                '<img src="../secret.png"><img src="file:///etc/hostname"><p>正文</p>')
        pdf = html_to_pdf(html, base_url=inside)
        pdf_remote_base = html_to_pdf('<img src="track.png"><p>正文</p>', base_url=url + "/")
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    for document in (pdf, pdf_remote_base):
        assert run("pdfimages", "-list", data=document, tmp_path=tmp_path).splitlines()[2:] == []
