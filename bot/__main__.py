"""koopbot command line: run, demo, content check, ask."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.logsetup import setup_logging

DEFAULT_CONFIG = Path("koopbot.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="koopbot",
        description="Matrix bot for education cooperation networks "
        "(Kooperationen von Musikschulen, Schulen, OGS und Kommunen).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run the bot with a config file")
    run.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="path to koopbot.toml (default: ./koopbot.toml)",
    )
    run.add_argument("--log-level", default=os.environ.get("KOOPBOT_LOG_LEVEL", "INFO"))
    run.add_argument(
        "--reset-cross-signing",
        action="store_true",
        help="replace the account's cross-signing identity on the server with the stored "
        "one (or a new one); only after the bot refused a mismatch in its log",
    )
    demo = sub.add_parser(
        "demo",
        help="local Synapse + bot + sample members + terminal chat as a demo user "
        "(data in ./.koopbot-demo)",
    )
    demo.add_argument("--dir", type=Path, default=Path(".koopbot-demo"))
    demo.add_argument("--log-level", default="INFO", help="level of the log file (koopbot.log)")
    content = sub.add_parser("content", help="curated content tools")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    check = content_sub.add_parser("check", help="validate content; counts and errors")
    check.add_argument("dirs", nargs="*", type=Path, help="extra content directories")
    ask = sub.add_parser("ask", help="answer a question from the curated content, offline")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=("de", "en"), default="de")
    ask.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    return parser


def _crypto_without_cffi() -> None:
    """Let pycryptodome (nio's attachment cipher) bind its C code with ctypes.

    Why: it prefers cffi when cffi is importable, and cffi then parses C declarations
    with pycparser at import: ~1 MB of RSS and ~0.1 s of start-up, for the same C
    functions its ctypes backend calls. cffi is hidden only while pycryptodome picks its
    backend; PyNaCl's compiled module needs only ``_cffi_backend`` and is unaffected.
    """
    if "cffi" in sys.modules or "Crypto.Util._raw_api" in sys.modules:
        return
    sys.modules["cffi"] = None  # type: ignore[assignment]  # "import cffi" fails here
    try:
        import Crypto.Util._raw_api  # noqa: F401
    except ImportError:  # pycryptodome absent: nio will say so itself
        pass
    finally:
        del sys.modules["cffi"]


async def _run(config: Path, *, reset_cross_signing: bool = False) -> int:
    _crypto_without_cffi()
    from bot.app import App

    settings = load_settings(config, required=config != DEFAULT_CONFIG)
    if reset_cross_signing:
        settings.matrix.reset_cross_signing = True
    app = App(settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await app.start()
        waiter = asyncio.create_task(app.wait())
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            waiter.result()
    finally:
        await app.stop()
    return 0


def _content_check(dirs: list[Path]) -> int:
    from content import check_content

    report = check_content(dirs)
    print(report.render())
    return 1 if report.errors else 0


def _ask(question: str, lang: str, config: Path) -> int:
    from bot.offline import answer_offline
    from storage.db import DATABASE_FILE

    extra: list[Path] = []
    database: Path | None = None
    if config.exists():
        with contextlib.suppress(ConfigError):
            settings = load_settings(config)
            extra = [Path(d) for d in settings.content.dirs]
            database = Path(settings.storage.dir) / DATABASE_FILE
    print(answer_offline(question, lang, extra, database))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            setup_logging(args.log_level)
            return asyncio.run(_run(args.config, reset_cross_signing=args.reset_cross_signing))
        if args.command == "demo":
            from bot.demo import exit_at_once, run_demo  # logs to a file in the demo folder

            exit_at_once(asyncio.run(run_demo(args.dir, args.log_level)))
        if args.command == "content":
            return _content_check(args.dirs)
        if args.command == "ask":
            return _ask(args.question, args.lang, args.config)
    except ConfigError as exc:
        print(f"koopbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line for operators; details are in the log
        from storage import StorageError

        if isinstance(exc, StorageError):
            print(f"koopbot: database error: {exc}", file=sys.stderr)
            return 3
        from bot.matrix import MatrixError

        if isinstance(exc, MatrixError):
            print(f"koopbot: Matrix error: {exc}", file=sys.stderr)
            return 4
        raise
    return 1


if __name__ == "__main__":
    sys.exit(main())
