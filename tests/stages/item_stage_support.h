// Runs one item stage on an item the way the runtime does: the stage gets the item
// read-only, and what it hands back (measurements, new pixels) is merged into the item
// for the stages after it.
#pragma once

#include "pipeline/stage.h"

namespace lantai::stage_testing {

inline Outcome run_stage(const ItemStage& stage, Item& item) {
  Outcome outcome = stage.process(item);
  item.measurements.merge(outcome.measurements);
  if (outcome.image) item.image = Image::seal(*outcome.image);
  return outcome;
}

// A page item with these pixels (sealed, as the runtime hands them on) and resolution.
inline Item page_item(const cv::Mat& pixels, std::optional<double> resolution_dpi = 300.0,
                      std::string rel_path = "J012-WS·2021-Y-BGS-0001/0001.tif") {
  Item item;
  item.rel_path = std::move(rel_path);
  item.id = Item::make_id(item.rel_path, 0);
  item.record_ref = item.rel_path.substr(0, item.rel_path.find('/'));
  item.seq = 1;
  item.image = Image::seal(pixels);
  if (resolution_dpi) item.measurements.set("resolution_dpi", *resolution_dpi);
  return item;
}

}  // namespace lantai::stage_testing
