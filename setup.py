"""How llmcost is built; what it is (name, version, dependencies) is in pyproject.toml.

The catalog lives at the top level for humans to edit and ships inside the wheel as
`llmcost/pricing` (with the generated `pricing/market/*.toml`), so a plain (non-editable)
install finds it. `llmcost.usage._scan` is
llmcost's compiled JSON Lines scanner (`usage/scan.py`): optional, so that an install without
a C compiler still works (`llmcost bill` is then the same, only slower).
"""

from setuptools import Extension, find_packages, setup

setup(
    package_dir={"": "src", "llmcost.pricing": "pricing"},
    packages=[*find_packages("src"), "llmcost.pricing"],
    package_data={"llmcost.pricing": ["*.toml", "market/*.toml", "market/LEFT_OUT.tsv"]},
    # the peers' pinned inputs and the build's reports are for the repository, not the wheel
    exclude_package_data={"llmcost.pricing": ["peers/*", "market/*.md", "market/*.txt"]},
    ext_modules=[
        Extension("llmcost.usage._scan", ["src/llmcost/usage/_scan.c"], optional=True),
    ],
)
