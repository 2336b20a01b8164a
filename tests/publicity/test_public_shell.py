"""The public site stands on its own (issue 19): its brand and its error pages lead to the public home, never
to the staff login; "back" is a plain same-site link (the CSP blocks javascript: URLs); a favicon; the muted
text colour keeps 4.5:1 contrast on the page background (WCAG 2.1 AA)."""
import re


def _contrast(a: str, b: str) -> float:
    def lum(h):
        c = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_public_error_page_leads_back_to_the_public_site(client):
    resp = client.get("/public/decisions/987654", headers={"Referer": "http://localhost/public/decisions?q=占道"})
    assert resp.status_code == 404
    page = resp.get_data(as_text=True)
    assert "javascript:" not in page and "/login" not in page and "/auth/" not in page
    assert 'class="brand" href="/public/"' in page
    assert 'href="/public/decisions?q=' in page  # back to where the visitor came from
    other_site = client.get("/public/decisions/987654", headers={"Referer": "https://evil.example/x"})
    assert "evil.example" not in other_site.get_data(as_text=True)


def test_staff_error_page_keeps_the_staff_shell(client):
    page = client.get("/cases/987654").get_data(as_text=True)
    assert "javascript:" not in page and "三项制度执法管理系统" in page


def test_favicon_and_contrast(client, app):
    page = client.get("/public").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page).group(1)
    assert client.get(icon).status_code == 200
    css = client.get("/static/app.css").get_data(as_text=True)
    root = dict(re.findall(r"--(\w+):#([0-9a-fA-F]{6})", css))
    assert _contrast(root["muted"], root["bg"]) >= 4.5 and _contrast(root["muted"], "ffffff") >= 4.5
