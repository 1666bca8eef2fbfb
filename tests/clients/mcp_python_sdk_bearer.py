"""The MCP Python SDK as a client of `toolhost mcp --http --auth-tokens` (run by tests/auth.rs).

usage: mcp_python_sdk_bearer.py URL TOKEN

Connects with `Authorization: Bearer TOKEN` (the SDK takes an httpx client carrying the
header), lists the tools, calls calc; then tries once without the token, which must be
refused. Prints one JSON line with what it saw; exits non-zero on the first thing wrong.
"""

import asyncio
import json
import sys

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def http_client(headers):
    return httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))


async def main(url, token):
    seen = {}
    async with http_client({"Authorization": f"Bearer {token}"}) as client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                listed = await session.list_tools()
                seen["tools"] = [t.name for t in listed.tools]
                calc = await session.call_tool("calc", {"expr": "6*7"})
                check(calc.is_error is False, f"calc failed: {calc}")
                seen["calc"] = calc.structured_content["value"]

    async with http_client({}) as client:
        response = await client.post(
            url,
            headers={"accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}},
        )
        seen["without_token"] = response.status_code
        check("resource_metadata=" in response.headers.get("www-authenticate", ""),
              f"no resource_metadata in {response.headers}")
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
