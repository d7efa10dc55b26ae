# Wanjia Watch: the commands the README names.
.PHONY: start run test lint bench install

start:          ## install, seed the demo, serve on http://127.0.0.1:5000
	bash scripts/start.sh $(ARGS)

run:            ## serve without installing again
	.venv/bin/wanjia run $(ARGS)

test:           ## install with test tools and run everything CI runs
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

bench:          ## full benchmark runs (slow); figures go into the README
	for b in bench/*.py; do [ -e "$$b" ] && .venv/bin/python "$$b"; done

install:
	bash scripts/install.sh
