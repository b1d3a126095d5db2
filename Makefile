# The two commands of the README. Each sets up what it needs (tools/setup_env.sh is idempotent).
PY := .venv/bin/python
SETUP := bash tools/setup_env.sh

.PHONY: setup demo test
setup:
	@$(SETUP)

demo: setup
	@bash tools/demo.sh

# two pytest-xdist workers, one per core of the 2-core CI machine; tests/conftest.py keeps each
# module (and the modules sharing the toy MTNAS run) on one worker
TEST_WORKERS ?= 2
test: setup
	@$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup tests
