"""The ``mss-sim`` command: run, backtest, validate, plot and list scenarios.

Bad arguments and bad files give one line on standard error and exit code 2.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from mss_sim.cli.common import fail, first_line
from mss_sim.cli.parser import build_parser
from mss_sim.cli.views import write_plots
from mss_sim.errors import MssSimError, ResultsError, ScenarioError

__all__ = ["build_parser", "main", "write_plots"]


def _log_to_stderr() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mss-sim: %(message)s"))
    logger = logging.getLogger("mss_sim")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mss-sim`` with `argv` (default: the command line); return the exit code.

    Called with `argv` (from Python), the caller's signal handlers are restored on
    return. Run as the command, they are not: after an interrupted batch a further
    Ctrl-C stays ignored until the process has exited.
    """
    args = build_parser().parse_args(argv)
    handler = _log_to_stderr()
    handlers = (
        {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        if argv is not None and threading.current_thread() is threading.main_thread()
        else {}
    )
    try:
        return int(args.func(args))
    except (ScenarioError, ResultsError) as exc:
        return fail(first_line(exc))
    except MssSimError as exc:
        return fail(str(exc))
    except ImportError as exc:  # an optional dependency missing: the message says which
        return fail(str(exc))
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        print("mss-sim: interrupted", file=sys.stderr)
        return 130
    finally:
        logging.getLogger("mss_sim").removeHandler(handler)
        for sig, old in handlers.items():  # ignored after an interrupted batch
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
