# Pôle — two commands: `make run` (set up everything and serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000
PASSWORD ?= pole-demo

.PHONY: run test test-fast install migrate demo messages check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --password $(PASSWORD)

run: demo
	@echo ""
	@echo "Pôle is served at http://$(HOST)/ — the admin at http://$(HOST)/admin/"
	@echo "Demo accounts (password: $(PASSWORD)):"
	@echo "  direction@exemple.org  (Direction)"
	@echo "  personnel@exemple.org  (Personnel)"
	@echo "  membre@exemple.org     (member representative)"
	@echo ""
	$(PY) manage.py runserver $(HOST)

# The whole suite, in parallel: one worker per core (pytest-xdist); the modules that share one
# render of the demo report, or one demo site, run in the same worker (--dist loadgroup).
test: install
	$(PY) -m pytest -n auto --dist loadgroup

# The fast tier: no browser, no render of the report, no publishing, no fuzzing.
test-fast: install
	$(PY) -m pytest -n auto --dist loadgroup -m "not slow"

messages: install
	$(PY) manage.py makemessages --locale fr --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale fr --ignore '.venv/*'

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
