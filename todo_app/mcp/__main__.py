"""`python -m todo_app.mcp --token todo_pat_...` (or TODO_API_TOKEN): the MCP server on stdio.

It reaches the database directly (DATABASE_URL, as the app and the workers do) and acts for
the token's owner. Make a token in Settings or with POST /api/v1/auth/tokens.
"""

from __future__ import annotations

import argparse
import os
import sys

import anyio
from mcp.server.stdio import stdio_server

from todo_app.core.errors import Unauthorized
from todo_app.db import session_scope
from todo_app.mcp.server import build_server, user_from_token
from todo_app.services import api_tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m todo_app.mcp", description=__doc__)
    parser.add_argument("--token", default=os.environ.get("TODO_API_TOKEN", ""))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give a personal API token with --token or TODO_API_TOKEN")
    try:
        with session_scope() as session:
            api_tokens.user_from_bearer(session, args.token)
    except Unauthorized as error:
        print(f"todo mcp: {error.message}", file=sys.stderr)
        return 1
    server = build_server(user_from_token(args.token))

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
