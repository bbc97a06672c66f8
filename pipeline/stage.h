// The one interface every stage implements.
//
// A stage describes itself, is set up once per batch from its profile section, then
// processes units of work, possibly from many threads at once. process() is const:
// a stage keeps no state between calls beyond what setup() fixed, except per-thread
// resources it owns (a Tesseract engine per worker thread). Expected problems come
// back as findings; an exception means a bug or an environment failure, and the
// runner turns it into an internal.exception finding on that unit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/profile.h"

namespace lantai {

struct StageInfo {
  std::string id;       // stable, also the profile section name: "deskew"
  std::string purpose;  // one sentence
  std::string version;  // bump when outputs for the same input change
  std::vector<ParamInfo> params;
};

// A file a stage wrote, relative to the work directory, written atomically.
struct StageOutput {
  std::string kind;  // "derivative", "ocr_text", "bag" ...
  std::string path;  // relative to WORK, '/'-separated
  std::string sha256;
  std::uint64_t size_bytes = 0;
};

struct Outcome {
  std::vector<Finding> findings;
  std::vector<StageOutput> outputs;

  // A unit with a reject finding is quarantined: later stages skip it.
  bool rejected() const { return any_reject(findings); }
  void add(Finding finding) { findings.push_back(std::move(finding)); }
};

// What every stage may know about the batch it serves.
struct StageContext {
  std::filesystem::path work_dir;    // WORK: stages write only below it
  std::filesystem::path input_root;  // --in
  int jobs = 1;                      // worker threads
};

template <class Unit>
class Stage {
 public:
  virtual ~Stage() = default;
  virtual StageInfo describe() const = 0;
  // Once per batch, before any unit. Throws ProfileError for a bad value, or
  // std::runtime_error for an environment that cannot work (missing language data).
  virtual void setup(ProfileSection& section, const StageContext& context) = 0;
  // Many times, from any thread.
  virtual Outcome process(Unit& unit) const = 0;
};

}  // namespace lantai
