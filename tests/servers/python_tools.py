"""An MCP server written with the MCP Python SDK 2.x (MCPServer), for tests/mcp_sources.rs.

Its tools exercise what toolhost promises for another server's tools: structured content,
images, a tool's own failure, long calls that must be cancelled, progress, oversized output,
crashes, a tool list that changes while it runs. The directory named by TOOLS_STATE_DIR is where it leaves evidence (a call that was
cancelled) and where a test puts `refuse-start` to make it fail at startup.

Run: python python_tools.py            (stdio)
     python python_tools.py http PORT  (Streamable HTTP on 127.0.0.1:PORT at /mcp)
"""

import asyncio
import base64
import os
import sys
from pathlib import Path
from typing import TypedDict

from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

STATE = Path(os.environ.get("TOOLS_STATE_DIR", "."))

if (STATE / "refuse-start").exists():
    print("refusing to start: the test left refuse-start", file=sys.stderr, flush=True)
    sys.exit(2)

server = MCPServer("python-tools", version="1.2.3")


class Sum(TypedDict):
    sum: int


class Pid(TypedDict):
    pid: int

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@server.tool(
    title="Add two integers",
    annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True),
)
def add(a: int, b: int) -> "Sum":
    """Add a and b."""
    return {"sum": a + b}


@server.tool()
def pid() -> "Pid":
    """The server's process id."""
    return {"pid": os.getpid()}


@server.tool()
def picture() -> Image:
    """A one-pixel PNG."""
    return Image(data=PNG, format="png")


@server.tool()
def fail() -> str:
    """Always fails, as a tool may."""
    raise ToolError("no such file: /nowhere")


@server.tool()
def big(n: int) -> str:
    """n bytes of text."""
    return "x" * n


@server.tool()
async def sleep(seconds: float) -> str:
    """Sleep; a cancelled call leaves `cancelled` in the state directory."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        (STATE / "cancelled").write_text("cancelled")
        raise
    return "slept"


@server.tool()
async def steps(n: int, ctx: Context) -> str:
    """Report progress n times."""
    for i in range(1, n + 1):
        await ctx.report_progress(i, n, f"step {i}")
        await asyncio.sleep(0.01)
    return f"{n} steps"


@server.tool()
async def grow(ctx: Context) -> str:
    """Add a tool named `grown`, then tell the client the tool list changed."""

    def grown() -> str:
        """Added while the server runs."""
        return "grown"

    server.add_tool(grown, name="grown")
    await ctx.session.send_tool_list_changed()
    return "grew"


@server.tool()
def crash() -> str:
    """Exit at once, as a crashing server does."""
    print("crashing on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.tool()
def hidden() -> str:
    """Excluded by the test registry."""
    return "should not be reachable"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
