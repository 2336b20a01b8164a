"""Small helpers shared by tests (import as `from tests.helpers import ...`)."""
import re

PASSWORD = "correct-horse-42"


def extract_csrf(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
