# The two commands of the README, and a few helpers. Logic lives in scripts/.
.PHONY: setup serve site test bench bench-web

setup:
	scripts/setup.sh

serve:
	scripts/serve.sh

# The static site in dist/ (what `make serve` serves): copy it to any host.
site:
	scripts/build-web.sh

test:
	scripts/test.sh

bench:
	scripts/setup.sh
	cargo run --release --bin ibp -- bench

bench-web:
	scripts/bench-web.sh --cold-cases a,b,c
