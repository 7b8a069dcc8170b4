"""Configuration: defaults, then ``instance/config.py``, then the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Werkzeug's method for new password hashes on a real server.
PASSWORD_HASH = "scrypt"


class Defaults:
    """Settings that work out of the box on one machine."""

    ARCHIVE_REPO = str(PROJECT_ROOT / "archive_repo")
    INDEX_PATH = None  # default: <instance>/index.sqlite3
    CREDENTIALS_PATH = None  # default: <instance>/credentials.json
    # How new passwords are hashed (Werkzeug's method string). The test suite sets a cheap
    # pbkdf2 so that a thousand sign-ins do not cost a thousand scrypt runs (0.2 s each);
    # never lower it on a real server.
    PASSWORD_HASH = PASSWORD_HASH
    # A jinja2.BytecodeCache shared by the apps of one process (the test suite), or None.
    TEMPLATE_BYTECODE_CACHE = None
    SYSTEM_NAME = "客戶檔案系統"
    SYSTEM_EMAIL = "archive@intranet.invalid"
    # Waiting for the disk on every object makes a save survive a power cut.
    ARCHIVE_DURABLE = True
    # The largest document kept with a customer file (R13); the largest request body is this
    # plus FORM_OVERHEAD unless MAX_CONTENT_LENGTH is set, so a bigger upload is refused (413)
    # before it is read.
    DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    FORM_OVERHEAD = 1024 * 1024
    MAX_CONTENT_LENGTH = None
    BABEL_DEFAULT_LOCALE = "zh_Hant_TW"
    BABEL_DEFAULT_TIMEZONE = "Asia/Taipei"  # outside a request; pages use the policy's timezone
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure is added per request when it came over HTTPS (web/security.py); True forces it.
    SESSION_COOKIE_SECURE = False
    # A working day; every request moves the expiry on, so this is also the idle limit.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # The demo company: the sign-in page lists its accounts (python app.py --demo).
    DEMO = False
    # Failed sign-ins (intranet/throttle.py), shared by all workers through SQLite.
    SECURITY_DB = None  # default: <instance>/security.sqlite3
    # Lock-out: a username is locked for the address its failures came from, so nobody can
    # lock a colleague out from another machine; the username's total from every address has
    # a higher limit, which bounds guessing spread over many machines.
    LOGIN_MAX_FAILURES = 5  # per username from one client address within LOGIN_WINDOW
    LOGIN_MAX_USER_FAILURES = 50  # per username from all addresses together
    LOGIN_MAX_ADDRESS_FAILURES = 20  # per client address (any usernames) within LOGIN_WINDOW
    LOGIN_WINDOW = 15 * 60  # seconds
    LOGIN_BACKOFF = 30  # seconds refused after the limit, doubled per further failure
    LOGIN_MAX_BACKOFF = 15 * 60  # seconds
    LOGIN_CLOCK = None  # a function returning the time (tests); default time.time
    # First start: the one-time code that protects /setup, kept as a hash.
    SETUP_CODE_PATH = None  # default: <instance>/setup-code
    # Replace an earlier code at start-up; only safe with one process (python app.py does it).
    SETUP_CODE_RENEW = False
    # The read-audit journal (records/trail/audit.py), shared by every worker on this machine.
    AUDIT_JOURNAL = None  # default: <instance>/audit.jsonl
    # Seal the journal into the archive's audit/ when the newest sealed entry is this old
    # (seconds); cron's `flask --app app audit-seal` covers a server nobody reads from.
    AUDIT_SEAL_INTERVAL = 86400
    # The customer's own data form (R10): links kept as hashes in this SQLite file, the
    # largest submission, failed link attempts per client address before 429.
    CUSTOMER_FORM_DB = None  # default: <instance>/customer_forms.sqlite3
    CUSTOMER_FORM_MAX_BYTES = 64 * 1024
    CUSTOMER_FORM_MAX_FAILURES = 20
    CUSTOMER_FORM_CLOCK = None  # a function returning the time (tests); default now
    # The company's name at the head of the printed blank data form.
    COMPANY_NAME = ""
    # Spreadsheet imports (web/imports, `flask import`): uploads wait for their import in
    # IMPORT_DIR for a day; the mapping chosen per heading set is kept in IMPORT_MAPPINGS_DB.
    # A workbook larger than these limits is refused with a message, nothing written.
    IMPORT_DIR = None  # default: <instance>/imports
    IMPORT_MAPPINGS_DB = None  # default: <instance>/imports.sqlite3
    IMPORT_MAX_BYTES = 20 * 1024 * 1024
    IMPORT_MAX_UNPACKED = 200 * 1024 * 1024  # an .xlsx's contents once unzipped (zip bombs)
    IMPORT_MAX_ROWS = 20_000
    IMPORT_MAX_COLUMNS = 200
    # Fix "today" (YYYY-MM-DD) for deadlines, fines and tasks (tests, demos); default: the
    # date in the policy's company time zone (policy key ``timezone``).
    TODAY = None
    # The archive records the instance folder that serves it (intranet/instance.py); another
    # instance folder is refused at start unless this is True (the server moved for good).
    INSTANCE_TAKEOVER = False
    # Run the background jobs (scheduled backups, mirror pushes, housekeeping) in a serving
    # process, started at its first request; None: yes unless TESTING.
    BACKGROUND_JOBS = None
    # Off-site copies (intranet/mirrors.py): git remotes the archive is pushed to after commits,
    # e.g. ["https://user:token@gitea.example/office/archive.git", "/mnt/nas/archive.git"] in
    # instance/config.py or INTRANET_MIRRORS as a JSON list. They may hold credentials: only
    # masked URLs are ever shown or logged. A failing mirror is retried after
    # MIRROR_RETRY_SECONDS, doubled per failure up to MIRROR_RETRY_MAX; one push may take
    # MIRROR_TIMEOUT seconds before git is killed.
    MIRRORS: tuple[str, ...] = ()
    MIRROR_RETRY_SECONDS = 30
    MIRROR_RETRY_MAX = 3600
    MIRROR_TIMEOUT = 120
    MIRRORS_DB = None  # default: <instance>/mirrors.sqlite3
    # R38: scheduled and manual backups go into BACKUP_DIR (point it at a NAS or USB mount);
    # every attempt is catalogued in BACKUP_DB. The server checks every BACKUP_CHECK_SECONDS
    # whether a backup is due (the schedule itself is policy data: ``backups``) and retries a
    # failed one after BACKUP_RETRY_SECONDS. BACKUP_CLOCK: a function returning an aware
    # datetime (tests); default now. BACKUP_SCRATCH: where the trial restore of each new
    # backup goes (default: the system's temporary folder).
    BACKUP_DIR = None  # default: <instance>/backups
    BACKUP_DB = None  # default: <instance>/backups.sqlite3
    BACKUP_CHECK_SECONDS = 600
    BACKUP_RETRY_SECONDS = 3600
    BACKUP_CLOCK = None
    BACKUP_SCRATCH = None
    # Housekeeping of the archive (archive/housekeeping.py: git gc and a commit-graph with
    # changed-path Bloom filters) at most once per this many seconds across all processes;
    # 0 turns the job off (then run `flask housekeep` from cron).
    HOUSEKEEPING_INTERVAL = 86400
    # Issue 14: e-mail about inbox items, as an option (never policy). With MAIL_SERVER set,
    # the background job mails each member of staff (org/staff.yaml's email) one digest of
    # their new inbox items every MAIL_CHECK_SECONDS, each item once (remembered in MAIL_DB);
    # a failed send is retried at the next check and shown in the administrator's inbox.
    # Links in the mail start with MAIL_BASE_URL (e.g. "https://intranet.example"). The
    # password is handed to the SMTP server only: never logged or shown.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_FROM = None  # default: SYSTEM_EMAIL
    MAIL_USE_TLS = False  # STARTTLS before logging in
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DB = None  # default: <instance>/mail.sqlite3
    MAIL_CHECK_SECONDS = 300
    MAIL_BASE_URL = None


def load(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the instance folder and the environment."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    if "ARCHIVE_REPO" in os.environ:
        app.config["ARCHIVE_REPO"] = os.environ["ARCHIVE_REPO"]
    app.config.from_prefixed_env("INTRANET")
    if test_config:
        app.config.update(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["INDEX_PATH"] = app.config["INDEX_PATH"] or str(instance / "index.sqlite3")
    app.config["CREDENTIALS_PATH"] = (app.config["CREDENTIALS_PATH"]
                                      or str(instance / "credentials.json"))
    app.config["SECURITY_DB"] = app.config["SECURITY_DB"] or str(instance / "security.sqlite3")
    app.config["SETUP_CODE_PATH"] = app.config["SETUP_CODE_PATH"] or str(instance / "setup-code")
    app.config["AUDIT_JOURNAL"] = app.config["AUDIT_JOURNAL"] or str(instance / "audit.jsonl")
    app.config["IMPORT_DIR"] = app.config["IMPORT_DIR"] or str(instance / "imports")
    app.config["IMPORT_MAPPINGS_DB"] = (app.config["IMPORT_MAPPINGS_DB"]
                                        or str(instance / "imports.sqlite3"))
    app.config["MIRRORS_DB"] = app.config["MIRRORS_DB"] or str(instance / "mirrors.sqlite3")
    app.config["MAIL_DB"] = app.config["MAIL_DB"] or str(instance / "mail.sqlite3")
    if not app.config["BACKUP_DIR"]:
        # Only the default folder is made here: a configured one is a mount point, and a
        # missing mount must be reported, not quietly replaced by a folder on the local disk.
        app.config["BACKUP_DIR"] = str(instance / "backups")
        Path(app.config["BACKUP_DIR"]).mkdir(exist_ok=True)
    app.config["BACKUP_DB"] = app.config["BACKUP_DB"] or str(instance / "backups.sqlite3")
    if app.config["MAX_CONTENT_LENGTH"] is None:
        app.config["MAX_CONTENT_LENGTH"] = (int(app.config["DOCUMENT_MAX_BYTES"])
                                            + int(app.config["FORM_OVERHEAD"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance / "secret_key")


def write_new(path: Path, data: str, mode: int = 0o600) -> bool:
    """Create ``path`` holding ``data`` unless it exists; return whether this call made it.

    The data goes to a private temporary file that is then hard-linked into place, so of
    several processes starting together exactly one wins and no reader ever finds the file
    empty or half written (an O_EXCL create followed by a write leaves that window open).
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)


def secret_key(path: Path) -> str:
    """Return the key stored at ``path``, creating it once even with several workers."""
    write_new(path, secrets.token_hex(32) + "\n")
    key = path.read_text().strip()
    if not key:
        # Only an older version's interrupted start can leave it so.
        raise RuntimeError(f"{path} is empty; delete it to generate a new key")
    return key
