// Item: the unit of work of the item stages, of one kind: a page (an image file, or one
// page of a multi-page TIFF), a photo, or an audio/video file. Each kind runs through its
// own chain of stages (StageSequence::chains). An item's id is stable across reruns: it
// is derived from its path relative to the input root and its frame.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pipeline/image.h"

namespace lantai {

enum class ItemKind { page, photo, av };
std::string_view to_string(ItemKind kind);
std::optional<ItemKind> item_kind_from_string(std::string_view text);

enum class ColourMode { unknown, bilevel, grey, colour };
std::string_view to_string(ColourMode mode);

// What stages measured about an item, by the names their StageInfo declares
// ("resolution_dpi", "skew_deg" ...): a number or a text each. Later stages of the chain
// read what earlier ones measured; the ledger stores each stage's own.
class Measurements {
 public:
  using Value = std::variant<double, std::string>;

  void set(std::string_view name, double value) { values_[std::string(name)] = value; }
  void set(std::string_view name, std::string value) { values_[std::string(name)] = std::move(value); }
  std::optional<double> number(std::string_view name) const;
  std::string text(std::string_view name) const;  // empty when absent or not a text
  bool has(std::string_view name) const { return values_.find(name) != values_.end(); }
  bool empty() const { return values_.empty(); }
  const std::map<std::string, Value, std::less<>>& all() const { return values_; }

  // Adds every value of other, replacing those of the same name.
  void merge(const Measurements& other);

  std::string to_json() const;
  static Measurements from_json(const std::string& text);  // throws on malformed text
  // The value as reports print it: numbers with up to 6 decimals, no trailing zeros.
  static std::string format(const Value& value);

 private:
  std::map<std::string, Value, std::less<>> values_;
};

struct Item {
  // Identity, fixed at ingest and stable across reruns.
  std::string id;                  // "<rel_path>#<frame>"
  ItemKind kind = ItemKind::page;
  std::string rel_path;            // relative to --in, '/'-separated, UTF-8
  int frame = 0;                   // page index inside the file, 0-based
  std::string record_ref;          // 档号: the folder the file is in
  int seq = 0;                     // 1-based position within the record (natural order)
  std::filesystem::path source;    // absolute path of the original (never modified)
  // A page scanned in parts (0007a.tif, 0007b.tif …) to be stitched into one: each part
  // as rel_path and source are for one file, in order, the first being the item's own.
  // Empty for an item of one file. The id is the first part's, so it is stable.
  struct Part {
    std::string rel_path;
    std::filesystem::path source;
  };
  std::vector<Part> parts;

  Measurements measurements;       // what the earlier stages of its chain measured
  Image image;                     // read-only pixels, as the last stage that made them left them
  // Values a person set in review (Manual values), "<stage>.<name>" → value: a stage uses
  // them instead of what it would compute, and they survive every rerun.
  std::map<std::string, std::string, std::less<>> manual;

  std::optional<std::string> manual_value(std::string_view stage, std::string_view name) const;
  // "0001" for seq 1: the serial that names this item's outputs (DA/T 31-2017 图像存储).
  std::string serial() const;
  static std::string make_id(const std::string& rel_path, int frame);
};

// Splits an item id "<rel_path>#<frame>" back into its parts.
std::pair<std::string, int> split_item_id(const std::string& item_id);

}  // namespace lantai
