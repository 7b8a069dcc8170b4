"""Time the customer card and a save in Chromium on the demo company (issue 14's figures).

    python scripts/bench_browser.py [CHECKOUT]

CHECKOUT (default: this one) is a checkout of the product to measure, so an older commit can be
timed with the same script (``git worktree add /tmp/old <commit>``). It seeds the 120-customer
demo dated 2026-11-26 into a temporary folder, serves it on 127.0.0.1 and, signed in as
wang.li in Debian's Chromium at 1280×900, loads one of his files seven times and saves it seven
times through the edit form. Each figure is Navigation Timing's start → loadEventEnd (a save's
entry starts at the form's POST and includes the redirect to the card); the medians leave out
the first two runs (caches warming).
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
NAV = ("() => { const e = performance.getEntriesByType('navigation')[0];"
       " return e.loadEventEnd - e.startTime; }")
RUNS = 7


def main(checkout: str) -> None:
    """Seed, serve and measure the checkout; print the medians and every run."""
    sys.path.insert(0, checkout)
    os.chdir(checkout)
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from intranet import create_app
    from intranet.demo import DEMO_PASSWORD, seed
    from intranet.index.query import Query

    root = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    app = create_app({"ARCHIVE_REPO": str(root / "archive.git"),
                      "INSTANCE_PATH": str(root / "instance"), "SECRET_KEY": "bench",
                      "TODAY": "2026-11-26"})
    services = app.extensions["customer_archive"]
    with app.app_context():
        seed(services, customers=120, today=datetime.date(2026, 11, 26))
    services.index.catch_up()
    customer = services.index.find(Query(owner="wang.li", per_page=1)).rows[0]["id"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    card = f"{base}/customers/{customer}"
    loads: list[float] = []
    saves: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900}
                                   ).new_page()
        page.goto(base + "/login")
        page.fill("input[name=username]", "wang.li")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form[action='/login'] [type=submit]")
        page.wait_for_load_state("load")
        for _ in range(RUNS):
            page.goto(card)
            page.wait_for_load_state("load")
            loads.append(page.evaluate(NAV))
        for run in range(RUNS):
            page.goto(card + "/edit")
            page.wait_for_load_state("load")
            page.fill("[name='notes']", f"註記 {run}")
            with page.expect_navigation(url=card, wait_until="load"):
                page.click("input[type=submit][name=save]")
            saves.append(page.evaluate(NAV))
        browser.close()
    server.shutdown()
    services.close()
    print(f"{checkout}: card load median {statistics.median(loads[2:]):.0f} ms "
          f"{[round(x) for x in loads]}; save (POST + redirect + card loaded) median "
          f"{statistics.median(saves[2:]):.0f} ms {[round(x) for x in saves]}")


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                         str(Path(__file__).resolve().parent.parent)))
