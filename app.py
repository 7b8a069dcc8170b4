"""Serve the customer archive: ``python app.py [--host H] [--port P] [--demo]``."""

from __future__ import annotations

import argparse
import os

from intranet import create_app


def main(argv: list[str] | None = None) -> None:
    """Start the intranet on one machine."""
    parser = argparse.ArgumentParser(description="客戶檔案 — customer file archive")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--demo", action="store_true",
                        help="start on the demo company (seeded into an empty archive)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads")
    args = parser.parse_args(argv)
    if args.demo:
        os.environ["INTRANET_DEMO"] = "true"
    app = create_app()
    if args.demo:
        from intranet import demo, services

        svc = app.extensions[services.EXTENSION]
        if not svc.archive.files("customers/"):
            print("Seeding the demo company into", svc.archive.path, "…", flush=True)
            with app.app_context():
                counts = demo.seed(svc)
            print(f"Demo company ready: {counts}", flush=True)
    from waitress import serve

    print(f"客戶檔案 on http://{args.host}:{args.port}/  (archive: {app.config['ARCHIVE_REPO']})",
          flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
