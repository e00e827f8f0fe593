# Developer and CI entry points. Everything runs from the project venv in .venv.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: venv demo docs test lint bench clean distclean

venv: $(STAMP)

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	python3 -m venv .venv && .venv/bin/pip install -q --upgrade pip && .venv/bin/pip install -q -e '.[test]'
	touch $@

demo: $(STAMP)
	$(PY) -m xltool demo --out out/demo

# The rules reference (docs/rules) from the catalogue and the forms, and the reference of the keys of
# form.toml (docs/form-keys.md); tests fail while either is stale.
docs: $(STAMP)
	$(PY) -m xltool rules --markdown docs/rules --force
	$(PY) -m xltool forms --keys > docs/form-keys.md

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	.venv/bin/ruff check xltool tests && .venv/bin/ruff format --check xltool tests && .venv/bin/mypy xltool

bench: $(STAMP)
	$(PY) -m benchmarks.verify_bench
	$(PY) -m benchmarks.text_bench
	$(PY) -m benchmarks.report_bench
	$(PY) -m benchmarks.real_reports
	$(PY) -m benchmarks.console_bench

clean:
	rm -rf out build .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -not -path "./.venv/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf .venv
