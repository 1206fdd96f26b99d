# The two commands of the README, and a few helpers. Logic lives in scripts/.
.PHONY: setup serve test bench bench-web

setup:
	scripts/setup.sh

serve:
	scripts/serve.sh

test:
	scripts/test.sh

bench:
	scripts/setup.sh
	cargo run --release --bin ibp -- bench

bench-web:
	scripts/bench-web.sh --cold-cases a,b,c
