# The two commands of the README:
#   make demo   set up, build, make the sample lot (paper, two photos, a recording) and run
#               a whole batch on it
#   make test   set up, build and run every test
# and, apart from them:
#   make models install other Tesseract language data to measure against Debian's
#               (scripts/install-models.sh; bench_ocr --tessdata models/tessdata-4.0.0)
#   make fuzz   build the decoder fuzzers with clang into build-fuzz and run each for
#               FUZZ_SECONDS (default 300), see docs/fuzzing.md
BUILD ?= build
JOBS ?= 2
DEMO ?= demo

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_FORMATS ?= jpeg png tiff jp2

.PHONY: deps build demo test bench models clean fuzz-deps fuzz-build fuzz

deps:
	@scripts/install-deps.sh
	@scripts/install-browser-test.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	rm -rf $(DEMO)
	$(BUILD)/ui-cli/lantai samples make --photos-and-recordings $(DEMO)/lot
	$(BUILD)/ui-cli/lantai run --profile profiles/da-t31-2017-paper.yaml \
	  --in $(DEMO)/lot/scans --catalog $(DEMO)/lot/catalogue.csv --out $(DEMO)/work \
	  --fonds J012 --unit 示例市档案馆 --jobs $(JOBS) \
	  $$([ -d /var/lib/clamav ] || echo --no-virus-scan)
	$(BUILD)/ui-cli/lantai verify $$(dirname $(DEMO)/work/deposit/*/bagit.txt)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@for b in $(BUILD)/bench/*/bench_*; do [ -x "$$b" ] && "$$b"; done

models: deps
	@scripts/install-models.sh

fuzz-deps: deps
	@scripts/install-deps.sh clang-14 libclang-rt-14-dev  # libFuzzer and the sanitizers

fuzz-build: fuzz-deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLANTAI_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++-14
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_FORMATS)

clean:
	rm -rf $(BUILD) $(DEMO) $(FUZZ_BUILD)
