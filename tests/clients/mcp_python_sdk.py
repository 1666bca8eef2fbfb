"""The MCP Python SDK as a client of `toolhost mcp` (run by tests/mcp_clients.rs).

usage: mcp_python_sdk.py TOOLHOST REGISTRY CACHE_DIR

Lists the tools (each with a title, hints and a portable schema), calls calc, and draws a
plot with default arguments, which must come back as a PNG image. Prints one JSON line
with what it saw; exits non-zero with the reason on the first thing that is wrong.
"""

import asyncio
import base64
import json
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

RUST_FORMATS = {"uint", "int", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
                "int32", "int64", "uint128", "int128", "double", "float"}


def non_portable(schema, path="$"):
    """Type lists and Rust integer formats anywhere in a schema, by path."""
    found = []
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), list):
            found.append(f"{path}: type {schema['type']}")
        # (A property named `format` or `type` is a dict here, not a keyword.)
        if isinstance(schema.get("format"), str) and schema["format"] in RUST_FORMATS:
            found.append(f"{path}: format {schema['format']}")
        for key, value in schema.items():
            if key in ("enum", "const", "default", "examples"):
                continue
            found += non_portable(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += non_portable(value, f"{path}[{i}]")
    return found


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


async def main(toolhost, registry, cache_dir):
    server = StdioServerParameters(
        command=toolhost, args=["--registry", registry, "--cache-dir", cache_dir, "mcp"]
    )
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            seen = {}
            for tool in listed.tools:
                check(tool.title, f"{tool.name} has no title")
                check(tool.annotations is not None, f"{tool.name} has no annotations")
                problems = non_portable(tool.input_schema) + non_portable(tool.output_schema or {})
                check(not problems, f"{tool.name}: {problems}")
                seen[tool.name] = {
                    "title": tool.title,
                    "read_only": tool.annotations.read_only_hint,
                    "idempotent": tool.annotations.idempotent_hint,
                    "open_world": tool.annotations.open_world_hint,
                }

            calc = await session.call_tool("calc", {"expr": "6*7"})
            check(calc.is_error is False, f"calc failed: {calc}")
            check(calc.structured_content["value"] == 42.0, f"calc: {calc.structured_content}")

            plot = await session.call_tool(
                "plot_sixel", {"kind": "line", "series": [{"y": [1, 3, 2, 5]}]}
            )
            check(plot.is_error is False, f"the plot failed: {plot}")
            images = [c for c in plot.content if c.type == "image"]
            check(len(images) == 1, f"expected one image, got {plot.content}")
            png = base64.b64decode(images[0].data)
            check(images[0].mime_type == "image/png", images[0].mime_type)
            check(png.startswith(b"\x89PNG\r\n\x1a\n"), "not PNG bytes")
            texts = " ".join(c.text for c in plot.content if c.type == "text")
            check("\x1bP" not in texts, "sixel reached the client")
            print(json.dumps({"tools": seen, "png_bytes": len(png), "plot_text": texts}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
