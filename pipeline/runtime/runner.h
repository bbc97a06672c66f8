// The runtime: runs one batch through its stage sequence in phases and leaves a work
// directory whose ledger knows the fate of every item. Each phase can be called on its
// own (a later `deposit` after review, a shard of the items); run() calls them all:
//
//   prepare  set up every stage from the profile, read the catalogue, open WORK and check
//            its identity, ingest the lot, and plan each item: what is done, what to redo
//   items    the item graph: every item not done through its kind's chain of stages;
//            a record's stages run as soon as its last item is in
//   records  the record stages of every record the graph did not bring
//   assess   each record's fate (deposited or withheld, and why); the reports
//   deposit  the deposited records packed into the bag, the package file and its forms
//            (with --seal-key, the package file encrypted whole beside it)
//   verify   the bag and its package file checked as the registration centre will
//   (draft)  with no catalogue, in place of deposit and verify: the catalogue drafted
//            from the pages (目录建库), for an inspector to confirm and give to a rerun
//
// Rerunning the same command on the same WORK resumes: done work is not redone, work
// whose settings, Manual values or inputs changed is redone from the first stage that
// depends on the change, and nothing else.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/stage_sequence.h"
#include "pipeline/units.h"
#include "pipeline/virus_scanner.h"

namespace lantai {

// Something that stops a batch before or instead of running it: bad arguments, an
// unreadable profile or catalogue, a WORK folder of another fonds. The message says
// what to do; exit_code is what the command returns.
class RunError : public std::runtime_error {
 public:
  RunError(int exit_code, const std::string& message) : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

// Exit codes of the lantai command (docs/errors.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitVerifyFailed = 1;  // verify found problems; a run whose bag did not verify
inline constexpr int kExitBadArguments = 2;
inline constexpr int kExitBadInput = 3;    // profile, catalogue or input folder unusable; WORK of another fonds
inline constexpr int kExitEnvironment = 4; // missing language data, unwritable WORK, damaged WORK

struct RunOptions {
  std::filesystem::path profile_file;
  std::filesystem::path input_root;
  std::filesystem::path catalog_file;  // empty: records named by their folders, a draft catalogue written
  std::filesystem::path work_dir;
  std::string fonds_code;
  std::string unit_name;
  int jobs = 2;
  bool show_progress = true;
  // Item stages left for a later run, from the end of their chain (`--ocr later`: intake,
  // QC and linking at scanner speed, OCR caught up by the next run in the same WORK, which
  // runs just them). A run that leaves stages waiting makes no deposit.
  std::vector<std::string> deferred_stages;
  // Virus scanning (ClamAV): the signature database folder, empty for the profile's
  // clamav.database; with virus_scan false (--no-virus-scan) nothing is scanned and the
  // 四性 report records item 4-2 as not done. A database that cannot be loaded stops the
  // run before anything is written (fail closed).
  std::filesystem::path virus_db;
  bool virus_scan = true;
  // An SM2 private key (PEM): the deposit signs the bag's tag manifests with it
  // (bag-signature-sm2.txt); empty: the bag is not signed.
  std::filesystem::path sign_key;
  // An earlier deposit bag (--continues): the deposit then holds only the records added or
  // changed since it, names it, and lists the records withdrawn from the catalogue.
  std::filesystem::path continues;
  // With a key file: the deposit seals the package file whole (lantai seal) into
  // <package>.sealed with <package>.sealed.json, package.json and the forms gain the sealed
  // file's figures; a package that fails the self-check loses its sealed copy.
  // seal_cipher: "sm4" or "aes256".
  std::filesystem::path seal_key;
  std::string seal_cipher = "sm4";
  // One shard of a lot split across machines (lantai run --plan, pipeline/runtime/shards.h):
  // only these records' items run, then their record stages; nothing is deposited, since
  // the deposit needs the whole lot (lantai merge makes it). The lot must still be the
  // one planned (its batch id); the label is kept in the shard's ledger so the merge can
  // tell whose shard a WORK holds.
  struct Shard {
    // Ledger keys (Ledger::batch_value): the label, and "yes" once the shard's run ended.
    static constexpr const char* kLabelKey = "shard";
    static constexpr const char* kFinishedKey = "shard_finished";
    std::string label;
    std::string batch_id;
    std::set<std::string> records;
  };
  std::optional<Shard> shard;
};

struct RunSummary {
  std::string batch_id;
  int run_number = 0;
  long long items_in = 0;
  long long items_processed_now = 0;  // this run; the rest were done by an earlier run
  long long items_accepted = 0;
  long long items_quarantined = 0;
  long long records_in_catalog = 0;
  long long records_deposited = 0;
  long long records_withheld = 0;
  std::map<std::string, long long> reject_counts;  // finding code → count of reject findings
  double seconds = 0;
  double items_per_minute = 0;  // items processed this run per minute of the items phase
  // Item stages in chain order: id, items it ran on this run, seconds spent in it (all threads).
  struct StageTime {
    std::string stage;
    long long items = 0;
    double seconds = 0;
  };
  std::vector<StageTime> stage_times;
  std::uint64_t peak_bytes_in_flight = 0;  // the memory budget's high-water mark
  std::filesystem::path bag_dir;
  // The registration forms beside the bag (WORK/deposit/<batch_id>-forms): PDFs to print,
  // sign and stamp, and the workbook.
  std::vector<std::filesystem::path> registration_forms;
  std::filesystem::path package_file;  // the bag as one file, WORK/deposit/<batch id>.tar (or .zip)
  std::filesystem::path package_json;  // its size and digests beside it
  std::filesystem::path sealed_package;  // with --seal-key: the package encrypted whole
  bool deposited = false;
  bool verified = false;
  std::vector<std::string> deferred_stages;  // as asked: the deposit waits for them
  std::filesystem::path catalogue_draft;     // written when no catalogue was given
  long long records_drafted = 0;
  std::string virus_scan;  // the engine, database and limits that scanned; empty: not scanned (--no-virus-scan)
  std::vector<Finding> deposit_problems;  // why no bag was made
  std::vector<Finding> verify_problems;
  std::filesystem::path four_properties_report;  // the self-check's 四性 report (HTML; JSON beside it)
};

// The lot as a run would read it, without a WORK: its batch id (the same a run computes),
// the records ingest finds with their items, and the catalogue's records.
struct LotSurvey {
  std::string batch_id;
  Lot lot;
  std::map<std::string, std::uint64_t> file_bytes;  // input file → size, by relative path
  std::vector<std::string> catalogue_refs;          // in catalogue order
};

class BatchRun {
 public:
  BatchRun(RunOptions options, StageSequence& stages);
  ~BatchRun();

  void prepare();
  void run_items();
  void run_records();
  void assess();
  void deposit();
  void verify();
  void draft_catalogue();  // in place of deposit and verify when no catalogue was given
  RunSummary run();  // every phase, in order

  const RunSummary& summary() const;
  // After prepare: the records with items still to run (lantai merge refuses to run them).
  std::set<std::string> pending_records() const;

 private:
  friend std::vector<StageRecord> effective_profile(const std::filesystem::path&, StageSequence&);
  friend LotSurvey survey_lot(const RunOptions&, StageSequence&);
  struct State;
  std::unique_ptr<State> state_;
};

// The lot read as prepare reads it, without a WORK (what lantai plan splits); throws RunError.
LotSurvey survey_lot(const RunOptions& options, StageSequence& stages);

// BatchRun(options, stages).run()
RunSummary run_batch(const RunOptions& options, StageSequence& stages);

// Every stage of the sequence and the runtime's own sections set up from the profile, as
// run would: each with every value it uses and where it came from. Throws ProfileError.
std::vector<StageRecord> effective_profile(const std::filesystem::path& profile_file, StageSequence& stages);

}  // namespace lantai
