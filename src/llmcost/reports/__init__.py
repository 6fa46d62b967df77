"""Turning library results into `Report`s (rows + the JSON contract). No arithmetic on money
happens here beyond what the engine returned; formatting happens in `llmcost.render`."""
