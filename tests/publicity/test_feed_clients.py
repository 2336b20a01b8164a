"""Every feed parses cleanly with feedparser (no bozo flag) and is discoverable from the pages that list
what it carries (issue 22)."""
import feedparser

from tests.publicity.test_views import _approve


def _feeds(app):
    return [r.rule for r in app.url_map.iter_rules() if r.rule.endswith((".atom", ".rss")) and not r.arguments]


def test_every_feed_parses_without_bozo_empty_and_with_entries(app, client, decided):
    feeds = _feeds(app)
    assert feeds == ["/public/feeds/decisions.atom"]
    for url in feeds:
        parsed = feedparser.parse(client.get(url).data)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.entries == []
    ids = decided("decided")
    _approve(app, ids)
    for url in feeds:
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
        parsed = feedparser.parse(resp.data)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == "atom10" and parsed.feed.title
        assert len(parsed.entries) == 1 and parsed.entries[0].id.endswith(f"/public/decisions/{ids['pub_id']}")
        # discovery: the public home page links the feed
        html = client.get("/public").get_data(as_text=True)
        assert f'type="application/atom+xml" title="行政处罚决定" href="{url}"' in html


def test_statistics_year_out_of_range_is_a_422_not_a_500(client):
    """Found by the API fuzzer once /public/api was in the OpenAPI document."""
    resp = client.get("/public/api/statistics?year=99999999999999999999")
    assert resp.status_code == 422 and resp.get_json()["details"]["fields"]["year"]
    assert client.get("/public/api/statistics?year=2025").status_code == 200
