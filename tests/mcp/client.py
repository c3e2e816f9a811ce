"""A real MCP client (the official Python SDK's stdio client) driving `kgent mcp`.

    python client.py CALLS_JSON -- SERVER_COMMAND...

CALLS_JSON is a list of {"tool": NAME, "args": {...}}; an element that is itself a list is sent
all at once, concurrently. Prints one JSON object: the server's initialize result, its tool list
(name and input schema), and each call's result with the seconds since the client started when
it came back.
"""
import asyncio
import json
import os
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main():
    start = time.monotonic()
    calls = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1:]
    # The SDK passes a server only a few variables by default: give it the test's environment
    # (KGENT_HOME), without the developer's config file.
    params = StdioServerParameters(command=command[0], args=command[1:], env={**os.environ, "KGENT_CONFIG": "/dev/null"})
    out = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["initialize"] = {"server": init.server_info.name, "version": init.server_info.version,
                                 "protocol": init.protocol_version, "instructions": init.instructions,
                                 "seconds": time.monotonic() - start}
            listed = await session.list_tools()
            out["tools"] = [{"name": t.name, "input_schema": t.input_schema} for t in listed.tools]
            async def one(call):
                res = await session.call_tool(call["tool"], call.get("args", {}), read_timeout_seconds=900)
                text = "".join(c.text for c in res.content if getattr(c, "type", "") == "text")
                return {"tool": call["tool"], "is_error": bool(res.is_error), "structured": res.structured_content,
                        "text": text, "seconds": time.monotonic() - start}

            out["results"] = []
            for call in calls:
                if isinstance(call, list):
                    out["results"].extend(await asyncio.gather(*(one(c) for c in call)))
                else:
                    out["results"].append(await one(call))
    print(json.dumps(out))


asyncio.run(main())
