# The two commands of the README:
#   make demo   set up, build, make the sample lot and run a whole batch on it
#   make test   set up, build and run every test
BUILD ?= build
JOBS ?= 2
DEMO ?= demo

.PHONY: deps build demo test bench clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	rm -rf $(DEMO)
	$(BUILD)/ui-cli/lantai samples make $(DEMO)/lot
	$(BUILD)/ui-cli/lantai run --profile profiles/da-t31-2017-paper.yaml \
	  --in $(DEMO)/lot/scans --catalog $(DEMO)/lot/catalogue.csv --out $(DEMO)/work \
	  --fonds J012 --unit 示例市档案馆 --jobs $(JOBS)
	$(BUILD)/ui-cli/lantai verify $(DEMO)/work/deposit/*/

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@for b in $(BUILD)/bench/*/bench_*; do [ -x "$$b" ] && "$$b"; done

clean:
	rm -rf $(BUILD) $(DEMO)
