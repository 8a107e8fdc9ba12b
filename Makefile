# The README's commands. `make run` and `make test` work in a fresh clone: they create .venv,
# install the CPU torch first, convert the bundled embedding model once, then do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MODEL_STAMP := models/multilingual-e5-small/.converted
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup index eval-index run test eval train cv bench lint clean

setup: $(STAMP) $(MODEL_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(MODEL_STAMP): $(STAMP)
	$(BIN)/python scripts/convert_model.py

index: setup
	$(BIN)/python -m ingest || [ $$? -eq 1 ]

run: index
	$(BIN)/python -m bot run

test: setup
	$(BIN)/python -m pytest -q

# the sample corpus with the real documents and the domain document beside the checkout
REAL := ../shared/real-corpus/docs
EVAL_INDEX := var/eval-index
DEV_SETS := $(wildcard tests/eval/real/eval_*.jsonl) $(wildcard tests/eval/real/train_*.jsonl) \
	tests/eval/qa.jsonl tests/eval/holdout.jsonl tests/eval/blind.jsonl
# the register's dates labelled by span in the real documents (the script skips without them)
DATE_SETS := $(wildcard tests/eval/dates/*.jsonl)

eval-index: setup
	@if [ -d $(REAL) ]; then $(BIN)/python -m ingest corpus $(REAL) ../shared/domain \
		--index $(EVAL_INDEX) || [ $$? -eq 1 ]; \
	else echo "skipped: $(REAL) is absent, so the real-document index is not built"; fi

eval: index eval-index
	$(BIN)/python -m bot eval tests/eval/qa.jsonl --compare
	$(BIN)/python -m bot eval tests/eval/holdout.jsonl
	$(BIN)/python -m bot eval tests/eval/blind.jsonl
	@if [ -d $(REAL) ]; then $(BIN)/python -m bot eval --cv --index $(EVAL_INDEX) $(DEV_SETS); \
	else echo "skipped: $(REAL) is absent, so the grouped cross-validation is not run"; fi
	$(BIN)/python scripts/eval_extraction.py tests/eval/extraction.jsonl
	$(BIN)/python scripts/eval_dates.py $(DATE_SETS)
	$(BIN)/python scripts/structure_score.py
	@if [ -d $(REAL) ]; then $(BIN)/python scripts/same_matter.py --index $(EVAL_INDEX); \
	else echo "skipped: $(REAL) is absent, so the same-matter measurement is not run"; fi

# the cross-fitted examples are kept here and read again while their inputs are unchanged
TRAIN := $(BIN)/python scripts/train_answerer.py --index $(EVAL_INDEX) --cv --examples var/train-examples.pkl

train: eval-index
	$(TRAIN)

cv: eval-index
	$(TRAIN) --no-write

bench: index
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_pg_questions.py --chunks 10000,100000
	$(BIN)/python scripts/bench_home.py --chunks 10000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot ingest retrieval config evaluation

clean:
	rm -rf index var .pytest_cache
