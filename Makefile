# Shortcuts; the scripts are the source of truth (they also install what is missing).
.PHONY: run test wire package bench bench-core crash-safety soak fuzz

run:
	./scripts/run.sh

test:
	./scripts/test.sh

# The desktop app as an installable .deb (release build).
package:
	npm ci --silent --no-audit --no-fund --prefix ui
	ui/node_modules/.bin/tauri build --bundles deb -- --locked

# 20 trials of SIGKILL mid-traffic and restart on the same database: no acknowledged write
# lost, integrity_check ok (tests/e2e/crash_safety.py; the suite runs a 3-trial form).
crash-safety:
	cargo build -p pooldesk-cli
	.venv/bin/python tests/e2e/crash_safety.py --trials 20 --bin target/debug/pooldesk

# 30 minutes of steady mixed load on the release build; memory must stay flat (scripts/soak.py).
soak:
	cargo build --locked --release -p pooldesk-cli
	.venv/bin/python scripts/soak.py --minutes 30 --bin target/release/pooldesk

# Each cargo-fuzz target for FUZZ_SECONDS (default 60) on nightly (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz:
	./scripts/fuzz.sh $(FUZZ_SECONDS)

# Regenerate crates/wire (and ui/src/generated) from the AWS models in crates/wire/models.
wire:
	python3 tools/gen_wire.py

# PoolDesk against moto, cognito-local, cognitox and fakecloud, then at a million users
# (installs the peers once; see BENCHMARKS.md).
bench:
	./scripts/bench.sh

# criterion benchmarks of core's hot paths.
bench-core:
	cargo bench -p pooldesk-core --bench hot_paths
