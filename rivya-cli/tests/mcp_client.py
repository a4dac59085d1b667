"""Drives `rivya mcp` from the official Python MCP SDK against the emulator.

Run by tests/mcp.rs, which starts the emulator and passes: RIVYA_BIN (the rivya binary),
EMU_URL and EMU_KEY (the emulator), WORK (a fresh folder). Every check prints `ok: …`; the
first failed check raises, and the script exits non-zero.
"""

import asyncio
import json
import os
import signal
import sys
import urllib.request

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ["RIVYA_BIN"]
EMU = os.environ["EMU_URL"]
KEY = os.environ["EMU_KEY"]
WORK = os.environ["WORK"]
TOOLS = {"list_models", "describe_model", "quote", "generate", "get_task", "chat", "upload"}
CLIP = {"model": "kling-3-0", "prompt": "A cinematic product reveal", "params": {"duration": "5"}}


def check(cond, what, detail=""):
    if not cond:
        raise AssertionError(f"{what}: {detail}")
    print(f"ok: {what}", flush=True)


def stats():
    with urllib.request.urlopen(EMU + "/_emulator/stats") as r:
        return json.load(r)


def params(*args, wrap_pid=None):
    env = {"RIVYA_API_KEY": KEY, "PATH": os.environ.get("PATH", ""), "HOME": WORK}
    argv = ["mcp", "--base-url", EMU, *args]
    if wrap_pid is None:
        return StdioServerParameters(command=BIN, args=argv, env=env)
    # A shell that records its pid, then becomes the server: the test can kill it mid-call.
    env["PIDFILE"] = wrap_pid
    script = 'echo $$ > "$PIDFILE"; exec "$0" "$@"'
    return StdioServerParameters(command="/bin/sh", args=["-c", script, BIN, *argv], env=env)


def attr(obj, snake, camel):
    """A field by its SDK 2 name (snake_case) or its SDK 1 name (camelCase)."""
    return getattr(obj, snake) if hasattr(obj, snake) else getattr(obj, camel)


async def call(s, name, arguments):
    r = await s.call_tool(name, arguments)
    text = "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text")
    return bool(attr(r, "is_error", "isError")), text, attr(
        r, "structured_content", "structuredContent") or {}


async def budget_session():
    """--budget 100: tools, describe, quote, an invalid call, a repeated call, the budget."""
    ledger = os.path.join(WORK, "budget.sqlite")
    async with stdio_client(params("--budget", "100", "--ledger", ledger)) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            tools = await s.list_tools()
            names = {t.name for t in tools.tools}
            check(names == TOOLS, "the seven tools are listed", names)
            gen = next(t for t in tools.tools if t.name == "generate")
            enum = attr(gen, "input_schema", "inputSchema")["properties"]["model"]["enum"]
            check("kling-3-0" in enum and "gpt-5-2-chat" not in enum,
                  "generate's model argument enumerates the generation models", enum)

            err, text, data = await call(s, "list_models", {})
            kling = next(m for m in data["models"] if m["id"] == "kling-3-0")
            check(not err and kling["credits"] == 90, "list_models shows kling-3-0 at 90", kling)

            err, text, data = await call(s, "describe_model", {"model": "kling-3-0"})
            duration = data["schema"]["properties"]["params"]["properties"]["duration"]
            check(not err and data["credits"] == 90 and duration["default"] == "5"
                  and "15" in duration["enum"] and data["upload"]["max_files"] == 2,
                  "describe_model gives kling-3-0's options, defaults, upload policy, schema", data)

            err, text, data = await call(s, "quote", CLIP)
            check(not err and data["credits"] == 90 and data["fits_budget"] is True,
                  "kling-3-0 is quoted at 90 credits", data)

            before = stats()
            bad = dict(CLIP, params={"duration": 99, "aspect_ratio": "2:1"})
            err, text, data = await call(s, "generate", bad)
            paths = [v["path"] for v in data["error"]["violations"]]
            check(err and "params.duration" in text and "params.aspect_ratio" in text,
                  "an invalid duration is refused with every path named", text)
            check(paths == ["params.duration", "params.aspect_ratio"], "violations by path", paths)
            after = stats()
            check(after["requests"] == before["requests"]
                  and after["credits_balance"] == before["credits_balance"],
                  "the invalid call sent nothing and paid nothing", (before, after))
            print("agent sees:", json.dumps(text), flush=True)

            err, text, first = await call(s, "generate", CLIP)
            check(not err and first["task_id"] and first["replayed"] is False,
                  "generate creates a task", text)
            err, text, second = await call(s, "generate", dict(reversed(list(CLIP.items()))))
            check(not err and second["task_id"] == first["task_id"] and second["replayed"],
                  "the identical call returns the same task", text)
            after = stats()
            check(after["tasks_created"] == before["tasks_created"] + 1
                  and before["credits_balance"] - after["credits_balance"] == 90,
                  "two identical generate calls paid once (90 credits)", (before, after))

            err, text, data = await call(s, "generate", dict(CLIP, request_key="another"))
            check(err and data["error"]["code"] == "budget_exceeded"
                  and data["error"]["left"] == 10 and "10" in text,
                  "a call past --budget 100 is refused, saying what is left", text)
            check(stats()["tasks_created"] == after["tasks_created"],
                  "the refused call created nothing")
            print("agent sees:", json.dumps(text), flush=True)


async def chat_session():
    """A chat turn, repeated (answered once), continued; --allow-models hides the rest."""
    ledger = os.path.join(WORK, "chat.sqlite")
    allow = ["--allow-models", "gpt-5-2-chat,kling-3-0", "--ledger", ledger]
    async with stdio_client(params(*allow)) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            err, text, data = await call(s, "list_models", {})
            ids = [m["id"] for m in data["models"]]
            check(ids == ["gpt-5-2-chat", "kling-3-0"], "--allow-models hides other models", ids)
            err, text, data = await call(s, "generate", {"model": "sora-2", "prompt": "x"})
            check(err and data["error"]["code"] == "model_not_allowed",
                  "a model outside --allow-models is refused", text)

            before = stats()
            turn = {"model": "gpt-5-2-chat", "message": "Hello there"}
            err, text, first = await call(s, "chat", turn)
            check(not err and "you said: Hello there" in first["content"],
                  "a chat turn answers", text)
            err, text, again = await call(s, "chat", turn)
            check(not err and again["turn_id"] == first["turn_id"] and again["replayed"],
                  "the identical chat call returns the same turn", text)
            err, text, nxt = await call(s, "chat", dict(turn, session_id=first["session_id"],
                                                        message="And again"))
            check(not err and nxt["session_id"] == first["session_id"]
                  and "turn 2" in nxt["content"], "session_id continues the chat", text)
            after = stats()
            check(after["chat_turns_created"] == before["chat_turns_created"] + 2,
                  "three chat calls, two turns paid", (before, after))


async def dropped_session():
    """The server is killed mid-call after its create; restarted with the same --session and
    ledger, the identical call returns that task: paid once."""
    ledger = os.path.join(WORK, "drop.sqlite")
    pidfile = os.path.join(WORK, "server.pid")
    out_dir = os.path.join(WORK, "out")
    clip = dict(CLIP, prompt="A slow reveal", wait_seconds=60, out_dir=out_dir)
    before = stats()
    try:
        async with stdio_client(params("--session", "drop", "--ledger", ledger,
                                       wrap_pid=pidfile)) as (r, w):
            async with ClientSession(r, w) as s:
                await s.initialize()
                pending = asyncio.ensure_future(s.call_tool("generate", clip))
                for _ in range(400):
                    if stats()["tasks_created"] > before["tasks_created"]:
                        break
                    await asyncio.sleep(0.05)
                check(stats()["tasks_created"] == before["tasks_created"] + 1,
                      "the create reached the emulator")
                os.kill(int(open(pidfile).read().strip()), signal.SIGKILL)
                try:
                    await asyncio.wait_for(pending, 20)
                    raise AssertionError("the call answered although its server was killed")
                except AssertionError:
                    raise
                except BaseException:
                    pass
    except AssertionError:
        raise
    except BaseException as e:  # the transport reports the dead server as it closes
        print(f"(connection closed: {type(e).__name__})", flush=True)
    check(not os.path.exists(out_dir), "nothing was answered before the kill")

    async with stdio_client(params("--session", "drop", "--ledger", ledger)) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            err, text, data = await call(s, "generate", clip)
            check(not err and data["replayed"] and data["status"] == "succeeded"
                  and data["result_urls"], "after the restart the same call returns the task", text)
            check(len(data["files"]) >= 1 and os.path.exists(data["files"][0]["path"]),
                  "its result was saved to out_dir", data.get("files"))
    after = stats()
    check(after["tasks_created"] == before["tasks_created"] + 1
          and before["credits_balance"] - after["credits_balance"] == 90,
          "the dropped connection paid once", (before, after))


async def mock_session():
    """`rivya mcp --mock`: the built-in emulator, no key needed."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": WORK}
    argv = ["mcp", "--mock", "--mock-dir", os.path.join(WORK, "mock"),
            "--ledger", os.path.join(WORK, "mock.sqlite")]
    async with stdio_client(StdioServerParameters(command=BIN, args=argv, env=env)) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            err, text, data = await call(s, "generate", CLIP)
            check(not err and data["task_id"], "--mock serves generate", text)
            err, text, data = await call(s, "get_task", {"task_id": data["task_id"]})
            check(not err and data["model"] == "kling-3-0", "get_task reads the mock task", text)


async def main():
    await budget_session()
    await chat_session()
    await dropped_session()
    await mock_session()
    print("all MCP checks passed", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
