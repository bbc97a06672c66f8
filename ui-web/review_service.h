// What the review page works with, apart from HTTP: the queue, one page, one record,
// reduced images, and decisions, read from and written to a WORK's ledger. The server
// (review_server.h) maps requests onto these calls; tests call them directly too.
//
// Nothing here takes a path from a request: items and records are looked up by id in the
// ledger, and the files behind them are the ledger's (originals under the lot's root,
// outputs below WORK, each resolved and checked to stay there).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/catalog.h"
#include "pipeline/finding.h"
#include "pipeline/runtime/ledger.h"

namespace lantai::review {

struct QueueQuery {
  std::string queue = "review";  // review: pages to look at; all: every page; records: withheld records
  std::string order = "lot";     // lot: record then page; deviation: furthest from the batch first
  std::string code;              // only pages or records with this reason
  std::string record;            // only this 档号
};

struct Reviewer {
  std::string name;
  std::string role;  // inspector | supervisor
};

// An answer with its HTTP status: 200 and the result, or 4xx and {"error": "..."}.
struct Answer {
  int status = 200;
  nlohmann::json body;
};

// Image variants served, and the widths they come in (the page asks for one of these; a
// width in between is served at the next one up, so the cache stays small).
enum class ImageVariant { original, processed, cleanup };
inline constexpr int kImageWidths[] = {320, 800, 1600, 2400};

// A WORK-relative output path the ledger recorded, resolved with symlinks followed: the
// regular file it names, or nullopt when there is none or it lies outside WORK.
std::optional<std::filesystem::path> inside_work(const std::filesystem::path& work_dir, const std::string& rel_path);

class ReviewService {
 public:
  // codes: the registry (StageSequence::finding_codes) for the meaning of each code.
  ReviewService(std::filesystem::path work_dir, std::vector<FindingCode> codes);

  const std::filesystem::path& work_dir() const { return work_dir_; }
  Ledger& ledger() { return *ledger_; }

  nlohmann::json queue(const QueueQuery& query) const;
  Answer item(const std::string& item_id) const;
  Answer record(const std::string& ref) const;
  Answer decide_item(const Reviewer& who, const std::string& item_id, const nlohmann::json& request);
  Answer decide_record(const Reviewer& who, const std::string& ref, const nlohmann::json& request);
  nlohmann::json decisions() const;  // the whole audit trail

  // A JPEG of the page at most width px wide, made once with OpenCV and kept in
  // WORK/review/cache; nullopt when the item or its image does not exist.
  std::optional<std::string> image(const std::string& item_id, ImageVariant variant, int width) const;

 private:
  const Catalog* catalog() const;
  nlohmann::json catalogue_entry(const std::string& ref) const;  // its fields in catalogue order, or null
  // The page with this id and the other pages of its record, read for its record alone
  // (its folder, the id's first segment) rather than the whole batch.
  std::optional<std::pair<ItemRow, std::vector<ItemRow>>> find_page(const std::string& item_id) const;

  std::filesystem::path work_dir_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<FindingCode> codes_;
  mutable std::once_flag catalog_once_;
  mutable std::optional<Catalog> catalog_;
  mutable std::mutex image_mutex_;  // one page decoded at a time: a 600-dpi page is ~100 MB of pixels
};

}  // namespace lantai::review
