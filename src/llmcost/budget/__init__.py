"""Budgets as code: the library behind `llmcost budget`.

One module per concern, imported in one direction (no cycle):

- `spec`: what a budget is (`Budget`, its `Part`s), pure values;
- `schema`: the budget file (pydantic, unknown keys rejected) read into a `Budget`, and written;
- `periods`: the calendar a check prices (a month, a UTC day, one period after a change);
- `results`: what a check hands back, whole (`BudgetChecked`, or `BudgetFailed`: it fails closed);
- `check`: pricing a budget, its look-ahead and drift (`check_budget`, `check_files`);
- `report`, `ci`: the `budget check` report (table, JSON, Markdown) and the CI formats
  (GitHub annotations, JUnit XML).

Nothing is imported here, so that importing one module does not import the others.
"""
