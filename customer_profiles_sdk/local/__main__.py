"""``python -m customer_profiles_sdk.local serve --port N``: the emulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys

from ._emulator import serve_forever
from ._ratelimit import parse_option


def _rate_limit(text: str) -> tuple[str, float]:
    try:
        return parse_option(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer_profiles_sdk.local",
                                     description="A local, in-memory Customer Profiles emulator.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulator over HTTP until interrupted")
    serve.add_argument("--port", type=int, default=8787, help="port to listen on (0: any free port)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; the emulator has no authentication)")
    serve.add_argument("--region", default="us-east-1", help="region used in ARNs")
    serve.add_argument("--account-id", default="123456789012", help="account id used in ARNs")
    serve.add_argument("--rate-limit", type=_rate_limit, action="append", default=[], metavar="OP=TPS",
                       help="answer ThrottlingException (HTTP 429) to calls of the operation OP above TPS "
                            "calls per second (token bucket, a burst of 0.1 s of calls); repeatable")
    args = parser.parse_args(argv)
    rate_limits: dict[str, float] = {}
    for operation, rate in args.rate_limit:
        if operation in rate_limits:
            serve.error(f"argument --rate-limit: {operation} is given more than once")
        rate_limits[operation] = rate
    try:
        serve_forever(args.port, args.host, region=args.region, account_id=args.account_id,
                      rate_limits=rate_limits)
    except OSError as error:  # the port is taken, the address is not this machine's, ...
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
