# The two commands of the README. Each sets up what it needs (tools/setup_env.sh is idempotent).
PY := .venv/bin/python
SETUP := bash tools/setup_env.sh

.PHONY: setup demo test
setup:
	@$(SETUP)

demo: setup
	@bash tools/demo.sh

test: setup
	@$(PY) -m pytest -q tests
