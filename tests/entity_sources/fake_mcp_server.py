#!/usr/bin/env python3
"""fake_mcp_server.py — the smallest stdio MCP server the gateway tests need:
answers initialize, tools/list (the sales tools' names) and every tools/call
with a text result naming the tool and arguments, so the test can tell a call
that reached the server from one the gateway refused."""
import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    method = message.get("method")
    if method == "initialize":
        result = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                  "serverInfo": {"name": "fake-sales", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": [{"name": n, "inputSchema": {"type": "object"}}
                            for n in ("get_account", "update_account", "list_accounts")]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": "served " + json.dumps(message["params"], sort_keys=True)}]}
    else:
        result = {}
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}) + "\n")
    sys.stdout.flush()
