"""The README's Python example runs as written, and its first command is the real one."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_python_api_example_runs_and_prices_what_it_says():
    (block,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    namespace: dict = {}
    exec(block, namespace)  # the snippet as a user would paste it
    work, catalog, model = namespace["work"], namespace["catalog"], namespace["model"]
    from llmcost import cost_at, instant

    # 1M x (500 uncached x 0.435 + 1500 x 0.003625 + 400 x 0.87) / 1M, promo on 2026-05-01
    assert cost_at(catalog, model.id, work, instant("2026-05-01")).total == Decimal("570.9375")


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S).group(1).splitlines()
    assert first_block[0].startswith("pip install . && llmcost compare ")
    assert first_block[1] == 'pip install ".[test]" && python -m pytest'
