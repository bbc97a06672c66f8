#include "stages/ingest/ingest_stage.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pipeline/catalog.h"
#include "pipeline/file_signature.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/utf8.h"
#include "stages/ingest/natural_order.h"
#include "stages/ingest/tiff_frames.h"

namespace lantai::ingest {

namespace fs = std::filesystem;

namespace {

const FlagParam kPhotoRecords{"photo_records", false,
                               "every record of the lot is a photo record (照片档案): its images go through the "
                               "photo chain"};
const TextParam kKindColumns{"kind_columns", "门类,类别",
                             "catalogue columns that name a record's kind (comma-separated)"};
const TextParam kPhotoKinds{"photo_kinds", "照片,照片档案,ZP",
                            "values of a kind column that make the record a photo record"};
const TextParam kPhotoCategoryCodes{
    "photo_category_codes", "ZP",
    "门类代码 that make a record a photo record, read from its 档号's segment after the 全宗号 (J012-ZP·2021-Y-0001)"};

constexpr FindingCode kBadFolder{"ingest.bad_folder", Severity::reject,
                                "an input folder whose name cannot be a 档号; its files are not read"};
constexpr FindingCode kUnsupportedFile{"ingest.unsupported_file", Severity::warn,
                                       "a file that is neither a page image (JPEG, PNG, TIFF, JPEG 2000) nor a "
                                       "recording (audio or video); it is not read"};
constexpr FindingCode kLooseFile{"ingest.loose_file", Severity::warn,
                                 "a file directly under --in, outside any record folder"};
constexpr FindingCode kMixedFormats{
    "ingest.mixed_formats", Severity::warn,
    "the batch's page files are in more than one storage format (DA/T 31-2017: one format per batch); the message "
    "counts the files of each"};

// Left by file managers and cameras, never pages: skipped without a word.
bool is_ignored(const std::string& name) {
  if (name.empty() || name[0] == '.') return true;
  const std::string lower = ascii_lower(name);
  return lower == "thumbs.db" || lower == "desktop.ini";
}

// A page file's storage format, by its content, or by its name when its first bytes are
// no format's (decode then names the damage).
enum class PageKind { none, jpeg, png, tiff, jpeg2000 };
constexpr std::array kPageKinds{PageKind::jpeg, PageKind::png, PageKind::tiff, PageKind::jpeg2000};

PageKind page_kind(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return PageKind::none;
  const std::string ext = ascii_lower(name.substr(dot));
  if (ext == ".tif" || ext == ".tiff") return PageKind::tiff;
  if (ext == ".jpg" || ext == ".jpeg") return PageKind::jpeg;
  if (ext == ".png") return PageKind::png;
  if (ext == ".jp2" || ext == ".jpx" || ext == ".j2k") return PageKind::jpeg2000;
  return PageKind::none;
}

PageKind page_kind(FileSignature signature) {
  switch (signature) {
    case FileSignature::jpeg: return PageKind::jpeg;
    case FileSignature::png: return PageKind::png;
    case FileSignature::tiff: return PageKind::tiff;
    case FileSignature::jpeg2000: return PageKind::jpeg2000;
    default: return PageKind::none;
  }
}

std::string_view kind_name(PageKind kind) {
  switch (kind) {
    case PageKind::jpeg: return "JPEG";
    case PageKind::png: return "PNG";
    case PageKind::tiff: return "TIFF";
    case PageKind::jpeg2000: return "JPEG 2000";
    case PageKind::none: break;
  }
  return "other";
}

// A name fit for a message and the ledger: invalid bytes and control characters as \xNN.
std::string printable(std::string_view text) {
  std::string shown;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = utf8_sequence_length(text, at);
    const auto lead = static_cast<unsigned char>(text[at]);
    if (length == 0 || lead < 0x20 || lead == 0x7F) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", lead);
      shown += escaped;
      ++at;
    } else {
      shown.append(text.substr(at, length));
      at += length;
    }
  }
  return shown;
}

// A page scanned in parts, because the sheet is larger than the scanner's glass, is given
// as one file per part: the page's name with a letter before the extension, a for the
// first part, then b, c … (0007a.tif, 0007b.tif). Files a, b … of one name and extension,
// next to each other in natural order, are the parts of one page (one serial), stitched
// at decode. A lone a (an inserted page, 0007a, in many lots) is a page of its own, and
// so is a letter that does not follow on.
struct PartName {
  std::string stem;  // the name without the letter: "0007.tif"
  char letter = 0;   // 'a', 'b' …
};

std::optional<PartName> part_name(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot < 2) return std::nullopt;
  const char letter = name[dot - 1];
  const char before = name[dot - 2];
  if (letter < 'a' || letter > 'z' || before < '0' || before > '9') return std::nullopt;
  return PartName{name.substr(0, dot - 1) + name.substr(dot), letter};
}

struct Entry {
  fs::path path;
  std::string name;  // the file name's bytes (UTF-8 when valid)
  bool is_folder = false;
  bool is_file = false;  // a regular file, or a link to one
};

// The visible entries of one folder, in natural order. Throws naming the folder when it
// cannot be read: that is the environment, not the lot.
std::vector<Entry> list_folder(const fs::path& folder) {
  std::vector<Entry> entries;
  std::error_code error;
  fs::directory_iterator it(folder, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    Entry entry{it->path(), it->path().filename().string()};
    if (is_ignored(entry.name)) continue;
    std::error_code type_error;
    entry.is_folder = it->is_directory(type_error);
    entry.is_file = !entry.is_folder && it->is_regular_file(type_error);
    entries.push_back(std::move(entry));
  }
  if (error) throw std::runtime_error("ingest: cannot read folder " + folder.string() + ": " + error.message());
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return natural_less(a.name, b.name); });
  return entries;
}

// The 门类代码 of a 档号 (DA/T 22-2015: 全宗号-门类代码·年度-…, or 全宗号-门类代码-年度-…): the
// segment after the first '-', up to the next '·' or '-'.
std::string category_code(const std::string& ref) {
  const std::string dot = "·";
  const auto dash = ref.find('-');
  if (dash == std::string::npos) return {};
  const std::string rest = ref.substr(dash + 1);
  return rest.substr(0, std::min(rest.find(dot), rest.find('-')));
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

class LotWalk {
 public:
  LotWalk(Lot& lot, Outcome& outcome, const PhotoRecordRule& photo_rule)
      : lot_(lot), outcome_(outcome), photo_rule_(photo_rule) {}

  void run() {
    for (const Entry& entry : list_folder(lot_.input_root)) {
      if (!entry.is_folder) {
        report(entry, kLooseFile, "", "lies directly under the input folder, outside any record folder; it is not read");
        continue;
      }
      if (!is_safe_ref(entry.name)) {
        report(entry, kBadFolder, printable(entry.name),
               "this folder name cannot be a 档号 (empty, '.', '..', '\\', control characters, leading or trailing "
               "spaces, not UTF-8, or longer than 200 bytes); its files are not read",
               printable(entry.name));
        continue;
      }
      lot_.folders.push_back(entry.name);
      read_record(entry);
    }
    report_mixed_formats();
  }

 private:
  void read_record(const Entry& folder) {
    int seq = 0;
    parts_of_.clear();
    const ItemKind image_kind =
        photo_rule_.is_photo_record(folder.name, lot_.catalog) ? ItemKind::photo : ItemKind::page;
    for (const Entry& entry : list_folder(folder.path)) {
      if (entry.is_folder) {
        report(entry, kUnsupportedFile, folder.name, "is a folder inside a record folder; nested folders are not read");
        continue;
      }
      if (!entry.is_file) {
        report(entry, kUnsupportedFile, folder.name, "is not a regular file; it is not a page");
        continue;
      }
      if (!is_valid_utf8(entry.name)) {
        report(entry, kUnsupportedFile, folder.name,
               "has a name that is not valid UTF-8 (a GBK name from an old archive?); rename it to read it as a page");
        continue;
      }
      const std::string rel_path = relative_utf8(entry.path, lot_.input_root);
      const FileSignature signature = file_signature_of(entry.path);
      if (signature == FileSignature::audio_video) {
        lot_.items.push_back({rel_path, 0, folder.name, ++seq, ItemKind::av});
        parts_of_.clear();
        continue;
      }
      const PageKind by_content = page_kind(signature);
      const PageKind kind = by_content != PageKind::none ? by_content : page_kind(entry.name);
      if (kind == PageKind::none) {
        report(entry, kUnsupportedFile, folder.name,
               "is neither a page image (JPEG, PNG, TIFF, JPEG 2000) nor audio or video, by its content and its name; "
               "it is not read");
        continue;
      }
      // DA/T 31-2017's one format per batch is about pages; photos keep the format they came in.
      if (image_kind == ItemKind::page) ++files_of_kind_[static_cast<std::size_t>(kind)];
      // A photo is one file: never gathered from parts, and only its first TIFF directory
      // (scanners put a thumbnail in the second).
      const bool photo = image_kind == ItemKind::photo;
      const auto part = photo ? std::nullopt : part_name(entry.name);
      // The next part of the page being gathered (its first part is the last item).
      if (part && !parts_of_.empty() && part->letter == next_letter_ && part->stem == parts_of_) {
        ItemRef& page = lot_.items.back();
        if (page.parts.empty()) page.parts.push_back(page.rel_path);
        page.parts.push_back(rel_path);
        ++next_letter_;
        continue;
      }
      int frames = 1;
      if (kind == PageKind::tiff && !photo) {
        const TiffFrames counted = count_tiff_frames(entry.path);
        // Past a broken link, one more frame lets decode name the damage.
        if (counted.readable > 0) frames = counted.readable + (counted.chain_broken ? 1 : 0);
      }
      for (int frame = 0; frame < frames; ++frame)
        lot_.items.push_back({rel_path, frame, folder.name, ++seq, image_kind});
      // A first part (of one frame) may be followed by the page's other parts.
      parts_of_ = part && part->letter == 'a' && frames == 1 ? part->stem : std::string();
      next_letter_ = 'b';
    }
  }

  // record_ref: the record the entry belongs to (a folder's own name for a bad folder, so
  // an entry of the catalogue with that 档号 is withheld); empty for a loose file.
  void report(const Entry& entry, const FindingCode& code, const std::string& record_ref, const std::string& reason,
              std::string value = {}) {
    const std::string rel_path = printable(relative_utf8(entry.path, lot_.input_root));
    Finding finding = code(rel_path + ": " + reason, std::move(value));
    finding.item_id = Item::make_id(rel_path, 0);
    finding.record_ref = record_ref;
    outcome_.add(std::move(finding));
  }

  // Once per batch, on no item or record: a batch of one storage format is what DA/T 31
  // asks, so two formats are worth a look however few files the second has.
  void report_mixed_formats() {
    std::string counts;
    int formats = 0;
    for (PageKind kind : kPageKinds) {
      const int files = files_of_kind_[static_cast<std::size_t>(kind)];
      if (files == 0) continue;
      ++formats;
      counts += (counts.empty() ? "" : ", ") + std::to_string(files) + " " + std::string(kind_name(kind));
    }
    if (formats < 2) return;
    outcome_.add(kMixedFormats("the batch mixes " + std::to_string(formats) + " storage formats: " + counts +
                                   " files (DA/T 31-2017 asks one format per batch)",
                               std::to_string(formats), "1"));
  }

  Lot& lot_;
  Outcome& outcome_;
  const PhotoRecordRule& photo_rule_;
  std::string parts_of_;    // the name (stem and extension) of the page whose parts are being gathered
  char next_letter_ = 'b';  // the letter its next part would have
  std::array<int, kPageKinds.size() + 1> files_of_kind_{};  // page files per PageKind
};

}  // namespace

bool PhotoRecordRule::is_photo_record(const std::string& ref, const Catalog* catalog) const {
  if (all_records || contains(category_codes, category_code(ref))) return true;
  const CatalogRecord* entry = catalog ? catalog->find(ref) : nullptr;
  if (!entry) return false;
  for (const std::string& column : kind_columns) {
    std::string value = entry->field(catalog->columns, column);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    if (contains(photo_kinds, value)) return true;
  }
  return false;
}

StageInfo IngestStage::describe() const {
  return {"ingest",
          "Finds the record folders (one per 档号) under the input folder and lists, in natural order, their "
          "pages (JPEG, PNG, TIFF, JPEG 2000: one per TIFF frame and one per page scanned in parts, 0007a, "
          "0007b …) and their audio and video recordings, each told by its content; the images of photo records "
          "(照片, told by the catalogue's kind column, the 档号's 门类代码 or the profile) as photos; notes a batch "
          "that mixes page formats.",
          "5",
          {kPhotoRecords.info(), kKindColumns.info(), kPhotoKinds.info(), kPhotoCategoryCodes.info()},
          {kBadFolder, kUnsupportedFile, kLooseFile, kMixedFormats}};
}

void IngestStage::setup(ProfileSection& section, const StageContext&) {
  photo_rule_.all_records = section.get(kPhotoRecords);
  photo_rule_.kind_columns = split_list(section.get(kKindColumns));
  photo_rule_.photo_kinds = split_list(section.get(kPhotoKinds));
  photo_rule_.category_codes = split_list(section.get(kPhotoCategoryCodes));
  section.finish();
}

Outcome IngestStage::process(Lot& lot) const {
  std::error_code error;
  if (!fs::is_directory(lot.input_root, error))
    throw std::runtime_error("ingest: input folder " + lot.input_root.string() + " does not exist or is not a folder" +
                             (error ? ": " + error.message() : std::string()));
  lot.items.clear();
  lot.folders.clear();
  Outcome outcome;
  LotWalk(lot, outcome, photo_rule_).run();
  return outcome;
}

}  // namespace lantai::ingest
