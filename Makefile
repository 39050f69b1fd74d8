# Shortcuts for ./dev.sh, which does the work (and its own set-up).
.PHONY: demo test test-postgres test-browser bench messages ci

demo:
	./dev.sh demo

test:
	./dev.sh test

test-postgres:
	./dev.sh test-postgres

test-browser:
	./dev.sh test-browser

bench:
	./dev.sh bench

messages:
	./dev.sh messages

ci:
	bash .ci/run
