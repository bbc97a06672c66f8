#include "pipeline/acceptance/check_items.h"

#include <algorithm>

namespace lantai::acceptance {

const std::vector<CheckItem>& check_items() {
  static const std::vector<CheckItem> items{
      {"machine.catalogue", "目录数据著录检查",
       "the catalogue rows are complete and well formed: 档号 present, unique and of the profile's grammar, 页数 a "
       "number, 件号 continuous, the fields read from the first page agreeing with the row, a photo's date agreeing "
       "with its file",
       CheckMethod::machine, PassRule::every_record, {"catalog", "cataloguing", "catalogue_draft", "photo_dates"}},
      {"machine.image_files", "图像文件检查",
       "every page file and recording is free of viruses, readable, of an accepted format, named and numbered in "
       "order, and its preservation copy was written (a photo's master and access copy); a recording decodes whole "
       "and meets the profile (DA/T 62-2017)",
       CheckMethod::machine, PassRule::every_record,
       {"ingest", "virus_scan", "decode", "derivatives", "photo_derivatives", "searchable_pdf", "record_tiff", "av"}},
      {"machine.image_quality", "图像质量检查",
       "resolution, colour mode, blank pages, blur, exposure, dark borders, skew and orientation, repeated pages, "
       "OCR confidence: measured on every page against the profile; a photo's resolution for its size, colour mode, "
       "bit depth and blur",
       CheckMethod::machine, PassRule::every_record,
       {"orient", "deskew", "quality", "duplicates", "ocr", "photo_quality"}},
      {"machine.linking", "数据挂接检查",
       "every catalogue entry has its folder of images and every folder its entry; the pages found equal 页数",
       CheckMethod::machine, PassRule::every_record, {"link"}},
      {"machine.package", "数据包检查",
       "the deposit bag was made and verifies as the registration centre checks it (manifests, checksums, forms)",
       CheckMethod::machine, PassRule::every_record, {"deposit", "verify"}},
      {"machine.other", "其他自动检查",
       "any other check lantai makes on every item (a stage that failed on an item)",
       CheckMethod::machine, PassRule::every_record, {}},
      {"inspector.entry_images", "目录数据与数字图像对应",
       "the images are the document the catalogue entry describes: all its pages, none of another, in order, "
       "the right way up",
       CheckMethod::inspector, PassRule::every_record, {}},
      {"inspector.catalogue_entry", "目录数据著录质量",
       "the entry's 档号, 题名, 责任者, 文号, 日期, 页数, 保管期限 agree with the paper",
       CheckMethod::inspector, PassRule::min_pass_percent, {}},
      {"inspector.image_quality", "数字图像质量",
       "each image is legible and complete, nothing cut off, colour where the paper has colour, seals and red "
       "letterheads as they are",
       CheckMethod::inspector, PassRule::min_pass_percent, {}},
      {"inspector.image_processing", "图像处理",
       "deskew, crop and cleanup kept the original as it is (展现原貌): no stain, hole or mark of the paper "
       "removed, pages in parts stitched without seams or losses",
       CheckMethod::inspector, PassRule::min_pass_percent, {}},
  };
  return items;
}

const CheckItem* find_check_item(std::string_view code) {
  const auto& items = check_items();
  auto it = std::find_if(items.begin(), items.end(), [&](const CheckItem& item) { return item.code == code; });
  return it == items.end() ? nullptr : &*it;
}

const CheckItem& machine_item_of_stage(std::string_view stage) {
  for (const CheckItem& item : check_items())
    if (std::find(item.stages.begin(), item.stages.end(), stage) != item.stages.end()) return item;
  return *find_check_item("machine.other");
}

std::string_view to_string(CheckMethod method) { return method == CheckMethod::machine ? "machine" : "inspector"; }

}  // namespace lantai::acceptance
