"""How ``browser: auto`` decides which pages Chromium renders, from the page's own bytes."""

from __future__ import annotations

import pytest

from crawler.auto import decide, render_reason

TEXT = "<p>" + "政府信息公开目录，依法主动公开。" * 5 + "</p>"


@pytest.mark.parametrize(("page", "reason"), [
    (f"<body>{TEXT}<ul id=list></ul><script>fetch('/api/list.json')</script></body>",
     "fetches-data"),
    (f"<body>{TEXT}<script>$.getJSON('/data.json', show)</script>", "fetches-data"),
    (f"<body>{TEXT}<script>document.write('<script src=a.js><\\/script>')</script>",
     "writes-document"),
    (f"<body>{TEXT}<script>var f = document.createElement('iframe');</script>",
     "writes-document"),
    (f"<body>{TEXT}<script>new FontFace('x', 'url(/f.woff2)').load()</script>",
     "script-media"),
    (f"<body>{TEXT}<img lay-src='/img/1.png'></body>", "lazy-images"),
    (f"<body>{TEXT}<script>addEventListener('hashchange', route)</script>", "routes"),
    ("<body><div id=\"app\"></div><script src=/app.js></script></body>", "app-root"),
    ("<body><p>加载中</p><script src=/main.js></script></body>", "empty-body"),
])
def test_pages_that_scripts_build_go_to_the_browser(page: str, reason: str) -> None:
    assert render_reason(page.encode()) == reason


@pytest.mark.parametrize("page", [
    f"<body>{TEXT}<a href=/a.html>a</a></body>",
    # the CMS patterns Scrapy reads itself (crawler.cms)
    f"<body>{TEXT}<script>createPageHTML(4, 0, 'index', 'html');</script></body>",
    f"<body>{TEXT}<div id=1><script type=text/xml><datastore></datastore></script></div>",
    # a page with no script is what it shows, however short
    "<body><p>空</p></body>",
])
def test_pages_in_their_markup_stay_with_scrapy(page: str) -> None:
    assert render_reason(page.encode()) is None


def test_a_seed_says_off_or_on_whatever_the_page() -> None:
    busy = f"<body>{TEXT}<script>fetch('/x.json')</script>".encode()
    assert decide("off", busy) is None
    assert decide("on", b"<p>static</p>") == "seed-on"
    assert decide("auto", busy) == "fetches-data"
