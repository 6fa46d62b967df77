"""The kinds of token a request counts and the kinds a cost is split into, named once.

Mix and budget files, `--save-budget`, the JSON of `simulate` and a usage log's canonical record
all name a request's tokens by `TOKEN_KINDS`, in this order: `input` is the whole prompt;
`cached` (cache hits), `cache_write` (5-minute) and `cache_write_1h` are parts of it; `output`
includes reasoning. A cost is split by the rate each token is billed at (`COST_KINDS`): hits at
the cache-read rate, every cache write at a write rate.
"""

from __future__ import annotations

TOKEN_KINDS = ("input", "cached", "cache_write", "cache_write_1h", "output")
COST_KINDS = ("input", "cache_read", "cache_write", "output")
