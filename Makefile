# Shortcuts; the scripts are the source of truth (they also install what is missing).
.PHONY: run test wire

run:
	./scripts/run.sh

test:
	./scripts/test.sh

# Regenerate crates/wire from ../shared/reference after a model update.
wire:
	python3 tools/gen_wire.py
