// The one interface every stage implements.
//
// A stage describes itself (StageInfo: what it is, its parameters, and what it knows:
// its finding codes, the measurements it adds, the outputs it writes), is set up once
// per batch from its profile section, then processes units of work, possibly from many
// threads at once. process() is const and takes its unit read-only: a stage keeps no
// state between calls beyond what setup() fixed, except per-thread resources it owns (a
// Tesseract engine per worker thread), and it hands back everything it has to say in its
// Outcome. Expected problems come back as findings; an exception means a bug or an
// environment failure, and the runtime turns it into an internal.exception finding on
// that unit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "pipeline/finding.h"
#include "pipeline/item.h"
#include "pipeline/profile.h"

namespace lantai {

class VirusScanner;

// A measurement a stage adds to an item: its name (with its unit in it: "skew_deg") is
// the key in Measurements and the column in pages.csv.
struct MeasurementInfo {
  std::string_view name;
  std::string_view meaning;
  // A number that names a kind or a setting rather than a quantity (a turn of 90s, bits a
  // sample, a scan resolution, a sample rate): review's deviation ordering leaves it out.
  bool category = false;
};

// What becomes of an output of this kind in the deposit.
enum class OutputRole {
  entity,  // the item's entity data (实体数据): exactly one per deposited item
  extra,   // deposited beside the entity file when the deposit is asked to (OCR text)
  work,    // stays in WORK (reports, diagnostics)
  package, // the deposit package itself (the bag)
};

struct OutputInfo {
  std::string_view kind;  // "derivative", "ocr_text" ...
  OutputRole role;
  std::string_view meaning;
};

struct StageInfo {
  std::string id;       // stable, also the profile section name: "deskew"
  std::string purpose;  // one sentence
  std::string version;  // bump when outputs for the same input change
  std::vector<ParamInfo> params;
  std::vector<FindingCode> findings;          // every code process() may report
  std::vector<MeasurementInfo> measurements;  // every measurement process() may add
  std::vector<OutputInfo> outputs;            // every kind of output process() may write
  bool makes_pixels = false;                  // item stages: hands on a new image
  // "name version" of the libraries that do its work (OpenCV 4.6.0, Tesseract 5.3.0 …),
  // named in the deposit's processing history.
  std::vector<std::string> libraries;
};

// A file a stage wrote, relative to the work directory, written atomically.
struct StageOutput {
  std::string kind;  // as declared in the stage's OutputInfo
  std::string path;  // relative to WORK, '/'-separated
  std::string sha256;
  std::uint64_t size_bytes = 0;
  OutputRole role = OutputRole::work;  // set by the runtime from the declaration
  // Taken in the same read as sha256 for an output a bag takes as it is (a recording), so
  // the deposit need not read it again for its manifests; empty otherwise.
  std::string md5, sm3;
};

struct Outcome {
  std::vector<Finding> findings;
  std::vector<StageOutput> outputs;
  Measurements measurements;     // item stages: what this stage measured
  std::optional<cv::Mat> image;  // item stages: new pixels for the stages after this one

  // A unit with a reject finding is quarantined: later stages skip it.
  bool rejected() const { return any_reject(findings); }
  void add(Finding finding) { findings.push_back(std::move(finding)); }
};

// What every stage may know about the batch it serves.
struct StageContext {
  std::filesystem::path work_dir;    // WORK: stages write only below it
  std::filesystem::path input_root;  // --in
  int jobs = 1;                      // worker threads
  // The run's virus scanner, loaded once for every stage that scans; null when the run
  // was asked not to scan (--no-virus-scan). Outlives every call to the stage.
  const VirusScanner* virus_scanner = nullptr;
  // --sign-key: the SM2 private key (PEM) the deposit signs the bag with; empty: unsigned.
  std::filesystem::path sign_key;
  // --continues: the earlier deposit bag this run's deposit continues (an incremental
  // deposit, pipeline/holdings.h); empty: a full deposit.
  std::filesystem::path continues;
  // --seal-key and --seal-cipher ("sm4" or "aes256"): the deposit seals the package file
  // with them (pipeline/sealed_package.h); empty: not sealed. The key is never logged.
  std::filesystem::path seal_key;
  std::string seal_cipher;
};

// Unit is const for every scope but the lot, which ingest fills.
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

// A stage of an item chain, with two optional answers the runtime asks before and
// between runs.
class ItemStage : public Stage<const Item> {
 public:
  // The most memory this item will hold while in flight through the chain (decoded
  // pixels and working copies), told from its header alone; 0 when this stage adds
  // nothing. The runtime admits items while their sum stays within the memory budget.
  virtual std::uint64_t working_bytes(const Item&) const { return 0; }

  // For a stage that makes pixels and also writes them to WORK: the pixels again, read
  // back from the outputs it recorded (exactly as it handed them on), so a rerun can
  // start after it without redoing the stages before. nullopt: it cannot.
  virtual std::optional<cv::Mat> reload_image(const Item&, const std::vector<StageOutput>&) const {
    return std::nullopt;
  }
};

}  // namespace lantai
