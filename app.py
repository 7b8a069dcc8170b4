"""Serve the customer archive: ``python app.py [--host H] [--port P] [--demo]``."""

from __future__ import annotations

import argparse
from typing import Any

from flask import Flask

from intranet import create_app


def make_app(demo: bool = False, settings: dict[str, Any] | None = None) -> Flask:
    """Create the app for one serving process, seeding the demo company if asked."""
    # One process (waitress threads): a new set-up code at every start is safe here.
    overrides: dict[str, Any] = {"SETUP_CODE_RENEW": True, **(settings or {})}
    if demo:
        # Set here rather than through INTRANET_DEMO so it is the boolean True, whatever the
        # environment holds; the sign-in page shows the demo accounts only then.
        overrides["DEMO"] = True
    app = create_app(overrides)
    if demo:
        seed_demo(app)
    return app


def seed_demo(app: Flask) -> None:
    """Fill an empty archive with the demo company."""
    from intranet import demo, services
    from intranet.web import setup

    svc = app.extensions[services.EXTENSION]
    with app.app_context():
        if svc.archive.files("customers/") or not setup.needs_setup():
            return
        print("Seeding the demo company into", svc.archive.path, "…", flush=True)
        counts = demo.seed(svc)
    print(f"Demo company ready: {counts}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Start the intranet on one machine."""
    parser = argparse.ArgumentParser(description="客戶檔案 — customer file archive")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--demo", action="store_true",
                        help="start on the demo company (seeded into an empty archive)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads")
    args = parser.parse_args(argv)
    app = make_app(demo=args.demo)
    from waitress import serve

    from intranet.web import setup

    code = setup.issued_code(app)
    if code:
        print(f"\nFirst start: open http://{args.host}:{args.port}/setup and enter the "
              f"set-up code\n\n    {code}\n\nto create the administrator (the marketing "
              "director). The code works once.\n", flush=True)
    print(f"客戶檔案 on http://{args.host}:{args.port}/  (archive: {app.config['ARCHIVE_REPO']})",
          flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
