// What the review page works with, apart from HTTP: the queue, one page, one record,
// reduced images, and decisions, read from and written to a WORK's ledger. The server
// (review_server.h) maps requests onto these calls; tests call them directly too.
//
// Nothing here takes a path from a request: items and records are looked up by id in the
// ledger, and the files behind them are the ledger's (originals under the lot's root,
// outputs below WORK, each resolved and checked to stay there).
#pragma once

#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "pipeline/catalog.h"
#include "pipeline/finding.h"
#include "pipeline/review.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/stage_sequence.h"

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

// Past the largest reduced copy, the page is served at full resolution in tiles: level z
// is the image reduced 2^z times (0: full resolution), cut into kTileSize px squares
// from its top left; the last level fits one tile.
inline constexpr int kTileSize = 512;
struct TileGrid {
  int width = 0, height = 0;  // the image at full resolution, px
  int levels = 1;
  bool holds(int z, int x, int y) const;  // whether the tile lies on the image
};

// A WORK-relative output path the ledger recorded, resolved with symlinks followed: the
// regular file it names, or nullopt when there is none or it lies outside WORK.
std::optional<std::filesystem::path> inside_work(const std::filesystem::path& work_dir, const std::string& rel_path);

class ReviewService {
 public:
  // stages: the batch's stages, for the meaning of each finding code and for which
  // corrections a stage of each item kind's chain applies.
  ReviewService(std::filesystem::path work_dir, const StageSequence& stages);

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
  // The tile grid of the image at full resolution, and one tile of it as a JPEG of at most
  // kTileSize px a side; nullopt when the item or its image does not exist (or, for a
  // tile, when it is not on the grid). The decoded image and the latest tiles are kept
  // in memory (one image, kTileCacheSize tiles), so panning at full resolution decodes
  // the 600-dpi file once.
  std::optional<TileGrid> tile_grid(const std::string& item_id, ImageVariant variant) const;
  std::optional<std::string> tile(const std::string& item_id, ImageVariant variant, int z, int x, int y) const;

 private:
  const Catalog* catalog() const;
  // Whether a stage of this kind's chain applies the correction (rotate, skew, crop).
  bool corrects(ItemKind kind, ReviewAction action) const;
  nlohmann::json catalogue_entry(const std::string& ref) const;  // its fields in catalogue order, or null
  // The page with this id and the other pages of its record, read for its record alone
  // (its folder, the id's first segment) rather than the whole batch.
  std::optional<std::pair<ItemRow, std::vector<ItemRow>>> find_page(const std::string& item_id) const;

  std::filesystem::path work_dir_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<FindingCode> codes_;
  std::map<ItemKind, std::set<std::string>> chain_stages_;  // stage ids, per item kind
  std::set<std::string, std::less<>> categories_;            // measurements that are not quantities
  mutable std::once_flag catalog_once_;
  mutable std::optional<Catalog> catalog_;
  // The file behind an image of the page, and the frame in it; nullopt when there is none.
  std::optional<std::pair<std::filesystem::path, int>> image_file(const ItemRow& row, ImageVariant variant) const;
  // The image at full resolution as 8-bit BGR, decoded once and kept until another is
  // asked for; call with image_mutex_ held. Empty when it cannot be decoded.
  const cv::Mat& full_image(const std::string& item_id, ImageVariant variant) const;

  mutable std::mutex image_mutex_;  // one page decoded at a time: a 600-dpi page is ~100 MB of pixels
  mutable std::string decoded_key_;  // the image decoded_ holds (item, variant, file size and time)
  mutable cv::Mat decoded_;
  static constexpr std::size_t kTileCacheSize = 256;  // ~10 MB of JPEG tiles
  mutable std::list<std::pair<std::string, std::string>> tiles_;  // key → JPEG, latest first
};

}  // namespace lantai::review
