"""Benchmark `llmcost bill` against a bare DuckDB `read_json` count over the same log.

Generates a JSON Lines log under $LLMCOST_BENCH_DIR (default /tmp/llmcost-bench, never the
repository): instants across 2026, and at each instant one of the catalog's models out then,
logged in its provider's shape (OpenAI Chat and Responses with `created`, Anthropic and Gemini
with an ISO `timestamp`, DeepSeek with `created`) or as a gateway's flat record. Then times, each
as a whole process: `llmcost bill` on it, `llmcost bill` on a 1-line log, and
`duckdb.read_json(...).count`. Marginal records/s = lines / (t_big - t_one). llmcost's bytecode
is compiled first, as `pip install` does.

Usage: python bench/bill.py [LINES] [--rejects] [--bodies] [--pure] [--claude-code]
(default 1,000,000). `--claude-code` writes a Claude Code session log instead: one user turn
for every three assistant lines (not records), Claude models, ISO instants; with `--copies`,
half the messages written once per content block (two lines with one message and request
id, billed once).
`--rejects` draws models regardless of their release instead, so about a quarter of the records fall
before their model's release and are rejected (each listed in the JSON): the line-by-line
path. `--bodies` logs whole response bodies, the reply's text included (about four characters
an output token, at most 2,000), as an app that logs what the API returned would. `--pure`
sets LLMCOST_PURE=1: DuckDB's readers alone, without the compiled scanner. Which reader ran
is printed (the scanner must be built in `src/`: `pip install -e .`). Peak RSS from
/usr/bin/time if any.
"""

from __future__ import annotations

import compileall
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
OUT = Path(os.environ.get("LLMCOST_BENCH_DIR", "/tmp/llmcost-bench"))
YEAR = (1767225600, 1798761600)  # 2026-01-01 .. 2027-01-01 UTC
VERSION = "2026-09-10"  # the catalog version billed: prices as known then


def models() -> list[tuple[str, str, int, int, int]]:
    """(id, provider, released, retired, context window) of the shipped catalog's models known
    on the catalog version billed (`VERSION`), the instants in Unix seconds."""
    sys.path.insert(0, str(SRC))
    from llmcost.catalog.load import load_catalog

    out = []
    catalog = load_catalog()
    for info in catalog.models():
        if not catalog.entries(info.key, date.fromisoformat(VERSION)):
            continue  # not known then: its records would be rejected
        retired = info.model.retired
        out.append((info.id, info.provider, int(info.model.released.timestamp()),
                    int(retired.timestamp()) if retired else YEAR[1],
                    info.model.context_window))  # fmt: skip
    return out


WORDS = " ".join(f"word{i % 97}" for i in range(1000))  # a reply's text, ~8 KB


def record(rng: random.Random, catalog: list, rejects: bool, bodies: bool = False,
           number: int = 0) -> str:  # fmt: skip
    line, output = _record(rng, catalog, rejects, number)
    if not bodies or '"usage' not in line:
        return line
    reply = WORDS[: min(4 * output, 2000)]
    body = {
        '"chat.completion"': f'"choices": [{{"index": 0, "message": {{"role": "assistant", '
        f'"content": "{reply}"}}, "finish_reason": "stop"}}]',
        '"response"': f'"output": [{{"type": "message", "role": "assistant", "content": '
        f'[{{"type": "output_text", "text": "{reply}"}}]}}]',
        '"message"': f'"content": [{{"type": "text", "text": "{reply}"}}]',
    }
    gemini = f'"candidates": [{{"content": {{"parts": [{{"text": "{reply}"}}]}}}}]'
    kind = next((k for k in body if k in line), None)
    return line[:-1] + ", " + (body[kind] if kind else gemini) + "}"


def _record(rng: random.Random, catalog: list, rejects: bool, number: int) -> tuple[str, int]:
    """A log line (its usage, no reply) and its output tokens. Each response has its own id
    (`number` in it: ids that repeat are one response logged twice, billed once) and a prompt
    the model's context window takes."""
    ts = YEAR[0] + rng.randrange(YEAR[1] - YEAR[0])
    out = [m for m in catalog if rejects or m[2] <= ts < m[3]]
    model, provider, *_, window = rng.choice(out)
    p, c, o = rng.randrange(100, min(300_000, window)), rng.randrange(0, 50), rng.randrange(1, 4000)
    iso = datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
    user = f"u{rng.randrange(50)}"
    if rng.randrange(5) == 0:  # a gateway's flat record
        return (f'{{"model": "{model}", "timestamp": {ts}, "user": "{user}", "input": {p}, '
                f'"cached": {c}, "output": {o}}}'), o  # fmt: skip
    if provider == "openai" and rng.randrange(2):
        return (f'{{"id": "chatcmpl-{number}", "object": "chat.completion", "created": {ts}, '
                f'"model": "{model}", "user": "{user}", "usage": {{"prompt_tokens": {p}, '
                f'"completion_tokens": {o}, "total_tokens": {p + o}, '
                f'"prompt_tokens_details": {{"cached_tokens": {c}}}}}}}'), o  # fmt: skip
    if provider == "openai":
        return (f'{{"id": "resp_{number}", "object": "response", "created_at": {ts}, '
                f'"model": "{model}", "user": "{user}", "usage": {{"input_tokens": {p}, '
                f'"input_tokens_details": {{"cached_tokens": {c}}}, "output_tokens": {o}, '
                f'"total_tokens": {p + o}}}}}'), o  # fmt: skip
    if provider == "anthropic":
        return (f'{{"id": "msg_{number}", "type": "message", "model": "{model}", '
                f'"timestamp": "{iso}", "user": "{user}", "usage": {{"input_tokens": {p - c}, '
                f'"cache_read_input_tokens": {c}, "cache_creation_input_tokens": 0, '
                f'"output_tokens": {o}}}}}'), o  # fmt: skip
    if provider == "deepseek":
        return (f'{{"id": "{number}", "object": "chat.completion", "created": {ts}, '
                f'"model": "{model}", "user": "{user}", "usage": {{"prompt_tokens": {p}, '
                f'"completion_tokens": {o}, "total_tokens": {p + o}, "prompt_cache_hit_tokens": '
                f'{c}, "prompt_cache_miss_tokens": {p - c}}}}}'), o  # fmt: skip
    return (f'{{"responseId": "r{number}", "modelVersion": "{model}", "timestamp": "{iso}", '
            f'"user": "{user}", '
            f'"usageMetadata": {{"promptTokenCount": {p}, "cachedContentTokenCount": {c}, '
            f'"candidatesTokenCount": {o}, "totalTokenCount": {p + o}}}}}'), o  # fmt: skip


def claude_code(rng: random.Random, catalog: list, number: int, copies: bool) -> list[str]:
    """Lines of a Claude Code session log: a user turn, or an assistant message (written
    twice, once per content block, with `copies` and every other message)."""
    ts = YEAR[0] + rng.randrange(YEAR[1] - YEAR[0])
    iso = datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", ".000Z")
    head = ('{"parentUuid":"p","isSidechain":false,"userType":"external",'
            f'"cwd":"/home/ann/src/shop","sessionId":"s{number % 97}","version":"2.0.14",'
            '"gitBranch":"main",')  # fmt: skip
    if number % 4 == 0:
        return [head + '"type":"user","message":{"role":"user","content":"go on"},'
                f'"uuid":"u{number}","timestamp":"{iso}"}}']  # fmt: skip
    out = [m for m in catalog if m[1] == "anthropic" and m[2] <= ts < m[3]]
    model = rng.choice(out)[0]
    r, w, o = rng.randrange(0, 150_000), rng.randrange(0, 5000), rng.randrange(1, 4000)
    line = (head + f'"message":{{"id":"msg_{number}","type":"message","role":"assistant",'
            f'"model":"{model}","content":[{{"type":"text","text":"ok"}}],"stop_reason":null,'
            f'"stop_sequence":null,"usage":{{"input_tokens":{rng.randrange(1, 50)},'
            f'"cache_creation_input_tokens":{w},"cache_read_input_tokens":{r},'
            f'"cache_creation":{{"ephemeral_5m_input_tokens":{w},"ephemeral_1h_input_tokens":0}},'
            f'"output_tokens":{o},"service_tier":"standard"}}}},"requestId":"req_{number}",'
            f'"type":"assistant","uuid":"a{number}","timestamp":"{iso}"}}')  # fmt: skip
    return [line, line] if copies and number % 2 else [line]


def generate(path: Path, lines: int, rejects: bool = False, bodies: bool = False,
             kind: str = "") -> None:  # fmt: skip
    rng = random.Random(5)
    catalog = models()
    with path.open("w") as f:
        number = written = 0
        while written < lines:
            if kind:
                out = claude_code(rng, catalog, number, kind == "copies")[: lines - written]
            else:
                out = [record(rng, catalog, rejects, bodies, number)]
            f.write("".join(line + "\n" for line in out))
            written += len(out)
            number += 1


COUNT = (
    'import duckdb, sys; print(duckdb.execute("SELECT count(*) FROM read_json(?, '
    "format = 'newline_delimited')\", [sys.argv[1]]).fetchall())"
)


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall time and peak RSS of one whole process running this checkout's `src/`."""
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    env = {**os.environ, "PYTHONPATH": str(SRC), **({"LLMCOST_PURE": "1"} if PURE else {})}
    start = time.perf_counter()
    proc = subprocess.run(wrapper + cmd, capture_output=True, text=True, check=True, env=env)
    elapsed = time.perf_counter() - start
    rss = proc.stderr.strip().splitlines()[-1] + " KB" if wrapper else "n/a"
    return elapsed, rss


PURE = "--pure" in sys.argv[1:]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rejects = "--rejects" in sys.argv[1:]
    bodies = "--bodies" in sys.argv[1:]
    lines = int(args[0]) if args else 1_000_000
    kind = ("copies" if "--copies" in sys.argv[1:] else "once") * ("--claude-code" in sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    name = "log-" + "rejects-" * rejects + "bodies-" * bodies + f"claude-{kind}-" * bool(kind)
    big = OUT / f"{name}{lines}.jsonl"
    one = OUT / f"log-{kind}1.jsonl"
    if not big.exists():
        generate(big, lines, rejects, bodies, kind)
    generate(one, 2 if kind else 1, kind=kind)
    compileall.compile_dir(str(SRC), quiet=1)
    # --allow-rejects: the --rejects log is timed, not judged (it would exit 1)
    bill = [sys.executable, "-m", "llmcost", "bill", "--format", "json", "--catalog", VERSION,
            "--allow-rejects"]  # fmt: skip
    count = [sys.executable, "-c", COUNT]
    # both sides timed warm: the log read once first (the first timed run would otherwise read
    # it from disk and the bare count after it from the page cache)
    with big.open("rb") as f:
        while f.read(1 << 24):
            pass
    t_one, _ = timed([*bill, str(one)])
    t_big, rss = timed([*bill, str(big)])
    t_read, rss_read = timed([*count, str(big)])
    compiled = subprocess.run(
        [sys.executable, "-c", "from llmcost.usage import scan; print(scan.available())"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(SRC), **({"LLMCOST_PURE": "1"} if PURE else {})},
    ).stdout.strip() == "True"  # fmt: skip
    reader = "the compiled scanner (usage/_scan.c)" if compiled else "DuckDB's readers only"
    print(f"reader: {reader}")
    print(f"lines: {lines:,}  size: {big.stat().st_size / 1e6:.0f} MB")
    print(f"llmcost bill, 1 line:     {t_one:6.2f} s")
    print(f"llmcost bill, all lines:  {t_big:6.2f} s  peak RSS {rss}")
    print(f"duckdb read_json count:   {t_read:6.2f} s  peak RSS {rss_read}")
    print(f"ratio bill / bare read:   {t_big / t_read:6.2f}x")
    print(f"marginal records/s:       {lines / (t_big - t_one):,.0f}")


if __name__ == "__main__":
    main()
