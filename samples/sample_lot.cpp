#include "samples/sample_lot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "samples/image_encoder.h"
#include "samples/page_composer.h"
#include "samples/sample_media.h"
#include "samples/sample_document.h"
#include "samples/scan_effects.h"
#include "samples/seeded_random.h"
#include "samples/text_renderer.h"

namespace lantai::samples {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kFondsCode = "J012";
constexpr const char* kUnitName = "临江市档案局";
constexpr const char* kCategory = "WS";  // 文书
constexpr const char* kYear = "2021";
constexpr const char* kOrganCode = "BGS";  // 办公室
constexpr int kScanDpi = 300;
constexpr int kLowScanDpi = 150;
constexpr int kJpegQuality = 90;
constexpr double kRescanSkewStepDeg = 0.4;
constexpr int kMinRecords = 6;
constexpr int kMaxRecords = 200;
constexpr int kMinPagesPerRecord = 2;  // a duplicate needs a page before it
constexpr int kMaxPagesPerRecord = 20;

// Skews of successive content pages: spread over ±12°, a few near 0, several past 8°.
// Each gets a small jitter unless it is meant to be (near) level.
constexpr double kSkewTableDeg[] = {0.0,  3.1,  -2.4, 9.6,  -0.3, 5.2,  -7.8, 1.4,  -11.3,
                                    0.2,  6.7,  -4.5, 11.7, -1.6, 2.2,  -9.2, 4.3,  -0.1,
                                    8.4,  -5.9, 0.6,  -3.3, 7.1,  -10.4, 1.9, -6.6};

enum class Fault { none, blank_page, low_resolution, duplicate_page, truncated_file, missing_page, orphan_folder };
enum class Storage { jpeg, png, tiff_lzw, tiff_deflate, tiff_g4, tiff_multipage };

struct RecordPlan {
  Fault fault = Fault::none;
  Storage storage = Storage::jpeg;
  size_t document = 0;  // into sample_documents()
  std::string ref;
};

const char* fault_code(Fault fault) {
  switch (fault) {
    case Fault::blank_page: return "qc.blank";
    case Fault::low_resolution: return "qc.resolution.low";
    case Fault::duplicate_page: return "qc.duplicate";
    case Fault::truncated_file: return "decode.truncated";
    case Fault::missing_page: return "link.missing_page";
    case Fault::orphan_folder: return "link.orphan_folder";
    case Fault::none: break;
  }
  return "";
}

const char* storage_name(Storage storage) {
  switch (storage) {
    case Storage::jpeg: return "jpeg";
    case Storage::png: return "png";
    case Storage::tiff_lzw: return "tiff-lzw";
    case Storage::tiff_deflate: return "tiff-deflate";
    case Storage::tiff_g4: return "tiff-ccitt-g4";
    case Storage::tiff_multipage: return "tiff-multipage-lzw";
  }
  return "";
}

// The record sequence: clean records between the faulty ones, so a reader of the
// catalogue meets a fault early but not only faults. The orphan folder comes last.
std::vector<RecordPlan> plan_records(int records) {
  struct Slot {
    Fault fault;
    Storage storage;
    size_t document;
  };
  const Slot faults[] = {
      {Fault::blank_page, Storage::png, 1},         {Fault::low_resolution, Storage::jpeg, 3},
      {Fault::duplicate_page, Storage::tiff_lzw, 4}, {Fault::truncated_file, Storage::jpeg, 5},
      {Fault::missing_page, Storage::tiff_deflate, 6},
  };
  const Slot clean[] = {
      {Fault::none, Storage::jpeg, 0},     {Fault::none, Storage::tiff_multipage, 2},
      {Fault::none, Storage::tiff_g4, 7},  {Fault::none, Storage::png, 9},
      {Fault::none, Storage::tiff_deflate, 0}, {Fault::none, Storage::tiff_lzw, 2},
  };
  const int clean_count = records - static_cast<int>(std::size(faults));
  std::vector<RecordPlan> plans;
  int clean_used = 0;
  auto add_clean = [&] {
    if (clean_used >= clean_count) return;
    const Slot& slot = clean[static_cast<size_t>(clean_used) % std::size(clean)];
    plans.push_back({slot.fault, slot.storage, slot.document, {}});
    ++clean_used;
  };
  add_clean();
  for (size_t i = 0; i < std::size(faults); ++i) {
    plans.push_back({faults[i].fault, faults[i].storage, faults[i].document, {}});
    if (i == 0) add_clean();
  }
  while (clean_used < clean_count) add_clean();
  plans.push_back({Fault::orphan_folder, Storage::png, 8, {}});

  // 档号 per DA/T 22-2015: 全宗号-门类代码·年度-保管期限-机构代码-件号, the 件号 counted
  // within each 保管期限.
  std::map<std::string, int> next_number;
  for (auto& plan : plans) {
    const std::string& retention = sample_documents().at(plan.document).retention;
    char number[16];
    std::snprintf(number, sizeof number, "%04d", ++next_number[retention]);
    plan.ref = std::string(kFondsCode) + "-" + kCategory + "·" + kYear + "-" + retention + "-" +
               kOrganCode + "-" + number;
  }
  return plans;
}

double round_to_hundredths(double value) { return std::round(value * 100.0) / 100.0; }

std::string file_extension(Storage storage) {
  return storage == Storage::jpeg ? ".jpg" : storage == Storage::png ? ".png" : ".tif";
}

std::string serial(int seq) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", seq);
  return text;
}

// One page image in a record folder, before it is scanned.
struct PagePlan {
  int layout = -1;  // into the record's layouts; -1 for a blank sheet
  int seq = 0;      // 1-based position in the folder
  int resolution_dpi = kScanDpi;
  double skew_deg = 0;
  std::vector<std::string> findings{};
  int rescan_of = 0;  // seq of the page this one scans again
};

// Skews of successive content pages, from kSkewTableDeg.
class SkewSequence {
 public:
  double next(SeededRandom& random) {
    const double base = kSkewTableDeg[index_++ % std::size(kSkewTableDeg)];
    const double jitter = std::abs(base) > 1.0 ? random.uniform(-0.2, 0.2) : 0.0;
    return round_to_hundredths(std::clamp(base + jitter, -12.0, 12.0));
  }

 private:
  size_t index_ = 0;
};

// The pages a record's folder holds, in order, with the fault planted and the skews set.
// content_pages layouts exist; the folder order refers to them.
std::vector<PagePlan> plan_pages(Fault fault, int content_pages, SkewSequence& skews, SeededRandom& random) {
  std::vector<PagePlan> pages;
  for (int k = 0; k < content_pages; ++k) {
    pages.push_back({.layout = k});
    // An empty sheet scanned after the first page, as the blank back of a leaf.
    if (fault == Fault::blank_page && k == 0) pages.push_back({.layout = -1});
  }
  if (fault == Fault::duplicate_page) pages.push_back({.layout = content_pages - 1});
  if (fault == Fault::missing_page) pages.pop_back();  // the catalogue still counts it
  for (size_t k = 0; k < pages.size(); ++k) {
    PagePlan& page = pages[k];
    page.seq = static_cast<int>(k) + 1;
    if (page.layout < 0) {
      page.findings.push_back(fault_code(Fault::blank_page));
    } else if (fault == Fault::duplicate_page && k + 1 == pages.size()) {
      page.rescan_of = page.seq - 1;
      // Turned a little further on the glass, but never past the ±12° the lot promises.
      const double previous_deg = pages[k - 1].skew_deg;
      const double step_deg = previous_deg + kRescanSkewStepDeg <= 12.0 ? kRescanSkewStepDeg : -kRescanSkewStepDeg;
      page.skew_deg = round_to_hundredths(previous_deg + step_deg);
      page.findings.push_back(fault_code(Fault::duplicate_page));
    } else {
      page.skew_deg = skews.next(random);
    }
    if (fault == Fault::low_resolution && page.seq == 2) {
      page.resolution_dpi = kLowScanDpi;
      page.findings.push_back(fault_code(Fault::low_resolution));
    }
    if (fault == Fault::truncated_file && page.seq == 2) page.findings.push_back(fault_code(Fault::truncated_file));
  }
  return pages;
}

// The page as the scanner delivers it: grey or BGR (grey for a bilevel store, which
// thresholds it).
cv::Mat scan_page(PageComposer& composer, const PagePlan& page, const std::vector<PageLayout>& layouts,
                  Storage storage, SeededRandom& random) {
  cv::Mat sheet;
  ScanEffects effects;
  if (page.layout < 0) {
    sheet = cv::Mat(a4_size_px(page.resolution_dpi), CV_8UC1, cv::Scalar(255));
    effects = ScanEffects::blank_sheet(random);
  } else {
    sheet = composer.paint(layouts[static_cast<size_t>(page.layout)], page.resolution_dpi);
    effects = ScanEffects::typical(random, page.skew_deg);
  }
  cv::Mat scan = simulate_scan(sheet, effects, page.resolution_dpi);
  if (storage == Storage::tiff_g4 && scan.channels() == 3) cv::cvtColor(scan, scan, cv::COLOR_BGR2GRAY);
  return scan;
}

// The file for one page, for every storage but the multi-page TIFF.
std::string encode_page(Storage storage, const cv::Mat& scan, int resolution_dpi) {
  switch (storage) {
    case Storage::jpeg: return encode_jpeg(scan, resolution_dpi, kJpegQuality);
    case Storage::png: return encode_png(scan, resolution_dpi);
    case Storage::tiff_lzw: return encode_tiff({{scan, resolution_dpi, TiffCompression::lzw}});
    case Storage::tiff_deflate: return encode_tiff({{scan, resolution_dpi, TiffCompression::deflate}});
    case Storage::tiff_g4: return encode_tiff({{scan, resolution_dpi, TiffCompression::ccitt_g4}});
    case Storage::tiff_multipage: break;
  }
  throw std::logic_error("samples: a multi-page TIFF is encoded once per record");
}

// A field of the catalogue row written wrong, as a cataloguer might: a neighbour's
// 题名, a 文号 ten off, the next month, the other body of the lot.
struct CatalogueError {
  const char* code;  // the finding it should give
  const char* column;
  std::string listed, truth;
};

CatalogueError catalogue_error(int turn, const SampleDocument& document) {
  const auto& documents = sample_documents();
  switch (turn % 4) {
    case 0: {
      const SampleDocument& other = documents[(static_cast<size_t>(turn) * 3 + 5) % documents.size()];
      const std::string& title = other.title != document.title ? other.title : documents[8].title;
      return {"catalog.mismatch.title", "题名", title, document.title};
    }
    case 1: {
      const std::string& number = document.doc_number;
      const size_t open = number.find("〕");
      const size_t end = number.rfind("号");
      const int value = std::stoi(number.substr(open + 3, end - open - 3));
      return {"catalog.mismatch.docno", "文号", number.substr(0, open + 3) + std::to_string(value + 10) + "号", number};
    }
    case 2: {
      const int month = std::stoi(document.date.substr(4, 2)) % 12 + 1;
      char date[16];
      std::snprintf(date, sizeof date, "%s%02d%s", document.date.substr(0, 4).c_str(), month,
                    document.date.substr(6).c_str());
      return {"catalog.mismatch.date", "日期", date, document.date};
    }
    default: {
      const std::string other = document.creator == "临江市财政局" ? "临江市档案局" : "临江市财政局";
      return {"catalog.mismatch.author", "责任者", other, document.creator};
    }
  }
}

std::string catalogue_row(const RecordPlan& plan, SampleDocument document, int catalogue_pages,
                          const CatalogueError* error) {
  if (error) {
    const std::string column = error->column;
    std::string& field = column == "题名" ? document.title : column == "文号" ? document.doc_number
                        : column == "日期" ? document.date : document.creator;
    field = error->listed;
  }
  const std::vector<std::string> fields = {plan.ref, document.title, document.creator, document.doc_number,
                                           document.date, std::to_string(catalogue_pages),
                                           retention_label(document.retention), "", document.remark};
  return csv_line(fields, "\r\n");
}

}  // namespace

SampleLot make_sample_lot(const fs::path& dir, const SampleOptions& options) {
  if (options.records < kMinRecords || options.records > kMaxRecords)
    throw std::invalid_argument("samples: records must be " + std::to_string(kMinRecords) + ".." +
                                std::to_string(kMaxRecords) + " (five host the catalogued faults), got " +
                                std::to_string(options.records));
  if (options.pages_per_record < kMinPagesPerRecord || options.pages_per_record > kMaxPagesPerRecord)
    throw std::invalid_argument("samples: pages per record must be " + std::to_string(kMinPagesPerRecord) +
                                ".." + std::to_string(kMaxPagesPerRecord) + ", got " +
                                std::to_string(options.pages_per_record));
  std::error_code error;
  if (fs::exists(dir, error)) {
    if (!fs::is_directory(dir, error))
      throw std::runtime_error("samples: " + dir.string() + " exists and is not a folder");
    if (!fs::is_empty(dir, error))
      throw std::runtime_error("samples: " + dir.string() +
                               " is not empty; give a new or empty folder for the sample lot");
  }

  TextRenderer text;  // throws when fonts-noto-cjk is missing, before anything is written
  PageComposer composer(text);
  SkewSequence skews;

  SampleLot lot;
  lot.scans_dir = dir / "scans";
  lot.catalog_file = dir / "catalogue.csv";
  lot.truth_file = dir / "ground-truth.json";
  // With photos, the DA/T 50-2014 columns a photo row fills come after the paper ones.
  const bool other_kinds = options.photos_and_recordings;
  std::string catalogue = std::string("\xEF\xBB\xBF档号,题名,责任者,文号,日期,页数,保管期限,密级,备注") +
                          (other_kinds ? ",照片号,摄影者" : "") + "\r\n";
  Json truth_pages = Json::array();
  Json truth_records = Json::array();
  Json truth_faults = Json::array();
  Json truth;
  int catalogue_error_turn = 0;

  const std::vector<RecordPlan> plans = plan_records(options.records);
  for (size_t r = 0; r < plans.size(); ++r) {
    const RecordPlan& plan = plans[r];
    const SampleDocument& document = sample_documents().at(plan.document);
    const auto record_seed = static_cast<std::uint32_t>(r + 1);
    SeededRandom record_random(SeededRandom::derive(options.seed, record_seed));

    // A blank sheet and a rescan come on top of the document's own pages.
    const bool extra_sheet = plan.fault == Fault::blank_page || plan.fault == Fault::duplicate_page;
    const int content_pages = options.pages_per_record - (extra_sheet ? 1 : 0);
    const std::vector<PageLayout> layouts =
        composer.lay_out(document, content_pages, static_cast<int>(r) * 5, record_random);
    const std::vector<PagePlan> pages = plan_pages(plan.fault, content_pages, skews, record_random);

    const fs::path folder = lot.scans_dir / fs::u8path(plan.ref);
    const std::string extension = file_extension(plan.storage);
    std::vector<TiffFrame> frames;  // the multi-page TIFF's pages
    for (const PagePlan& page : pages) {
      SeededRandom page_random(SeededRandom::derive(options.seed, record_seed, static_cast<std::uint32_t>(page.seq)));
      const cv::Mat scan = scan_page(composer, page, layouts, plan.storage, page_random);
      const bool multipage = plan.storage == Storage::tiff_multipage;
      const std::string file_name = serial(multipage ? 1 : page.seq) + extension;
      if (multipage) {
        frames.push_back({scan, page.resolution_dpi, TiffCompression::lzw});
      } else {
        std::string bytes = encode_page(plan.storage, scan, page.resolution_dpi);
        if (plan.fault == Fault::truncated_file && page.seq == 2) bytes.resize(bytes.size() / 2);
        write_file_atomically(folder / file_name, bytes);
      }

      const std::string rel_path = plan.ref + "/" + file_name;
      Json entry;
      entry["file"] = rel_path;
      entry["frame"] = multipage ? static_cast<int>(frames.size()) - 1 : 0;
      entry["record"] = plan.ref;
      entry["seq"] = page.seq;
      entry["format"] = extension == ".jpg" ? "jpeg" : extension == ".png" ? "png" : "tiff";
      entry["storage"] = storage_name(plan.storage);
      entry["colour_mode"] = plan.storage == Storage::tiff_g4 ? "bilevel" : scan.channels() == 3 ? "colour" : "grey";
      entry["width_px"] = scan.cols;
      entry["height_px"] = scan.rows;
      entry["dpi"] = page.resolution_dpi;
      entry["skew_deg"] = page.skew_deg;
      entry["blank"] = page.layout < 0;
      if (page.rescan_of > 0) entry["rescan_of"] = plan.ref + "/" + serial(page.rescan_of) + extension;
      entry["text_lines"] = page.layout < 0 ? std::vector<std::string>{}
                                            : layouts[static_cast<size_t>(page.layout)].text_lines();
      entry["findings"] = page.findings;
      truth_pages.push_back(std::move(entry));
      for (const auto& code : page.findings)
        truth_faults.push_back({{"code", code}, {"file", rel_path}, {"record", plan.ref}});
      ++lot.pages;
    }
    if (!frames.empty()) write_file_atomically(folder / (serial(1) + extension), encode_tiff(frames));

    const bool catalogued = plan.fault != Fault::orphan_folder;
    const int folder_pages = static_cast<int>(pages.size());
    const int catalogue_pages = folder_pages + (plan.fault == Fault::missing_page ? 1 : 0);
    std::vector<std::string> record_findings;
    if (plan.fault == Fault::missing_page || plan.fault == Fault::orphan_folder) {
      record_findings.push_back(fault_code(plan.fault));
      truth_faults.push_back({{"code", fault_code(plan.fault)}, {"file", plan.ref}, {"record", plan.ref}});
    }
    std::optional<CatalogueError> error;
    if (options.catalogue_errors && plan.fault == Fault::none) {
      error = catalogue_error(catalogue_error_turn++, document);
      record_findings.push_back(error->code);
      truth_faults.push_back({{"code", error->code}, {"file", plan.ref}, {"record", plan.ref},
                              {"column", error->column}, {"catalogue", error->listed}, {"page", error->truth}});
    }
    Json record;
    record["ref"] = plan.ref;
    record["title"] = document.title;
    record["in_catalogue"] = catalogued;
    record["catalogue_pages"] = catalogued ? Json(catalogue_pages) : Json(nullptr);
    record["folder_pages"] = folder_pages;
    record["folder_files"] = frames.empty() ? folder_pages : 1;
    record["storage"] = storage_name(plan.storage);
    record["findings"] = record_findings;
    truth_records.push_back(std::move(record));
    ++lot.folders;
    if (catalogued) {
      std::string row = catalogue_row(plan, document, catalogue_pages, error ? &*error : nullptr);
      if (other_kinds) row.insert(row.size() - 2, ",,");  // before its CRLF
      catalogue += row;
      ++lot.records;
    }
  }

  if (other_kinds) {
    // Prints of long ago, scanned in 2021 on a flatbed: the catalogue dates precede EXIF's.
    struct OtherRecord {
      const char* ref;
      const char* title;
      const char* date;
      const char* file;
      const char* photo_number;  // 照片号
      const char* photographer;  // 摄影者
    };
    const OtherRecord others[] = {
        {"J012-ZP·2021-Y-0001", "新馆落成典礼", "19851001", "0001.jpg", "ZP0001", "王明"},
        {"J012-ZP·2021-Y-0002", "建馆初期合影", "19620601", "0001.jpg", "ZP0002", "佚名"},
        {"J012-LY·2021-Y-BGS-0001", "档案工作会议录音", "20211215", "0001.wav", "", ""},
    };
    Json truth_others = Json::array();
    for (const OtherRecord& other : others) {
      const fs::path file = lot.scans_dir / fs::u8path(other.ref) / other.file;
      const bool photo = std::string(other.file).ends_with(".jpg");
      if (photo) {
        const bool first = lot.photos == 0;
        write_file_atomically(file, encode_jpeg(draw_photo({3000, 2100}, first), 600, 92));
        add_exif(file, {"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600});
        ++lot.photos;
      } else {
        write_file_atomically(file, tone_wav(3, 44100, 2, 440));
        ++lot.recordings;
      }
      catalogue += csv_line({other.ref, other.title, kUnitName, "", other.date, "1", "永久", "", "",
                             other.photo_number, other.photographer},
                            "\r\n");
      truth_others.push_back({{"file", std::string(other.ref) + "/" + other.file},
                              {"record", other.ref},
                              {"kind", photo ? "photo" : "av"},
                              {"findings", Json::array()}});
      ++lot.records;
      ++lot.folders;
    }
    truth["photos_and_recordings"] = std::move(truth_others);
  }

  truth["generator"] = "lantai samples";
  truth["seed"] = options.seed;
  truth["catalogue_errors"] = options.catalogue_errors;
  truth["records_option"] = options.records;
  truth["pages_per_record_option"] = options.pages_per_record;
  truth["fonds_code"] = kFondsCode;
  truth["unit_name"] = kUnitName;
  truth["font"] = text.family();
  truth["skew_sign"] = "positive skew_deg: content rotated counter-clockwise, text lines rise to the right";
  truth["page_count"] = lot.pages;
  truth["catalogue_records"] = lot.records;
  truth["folders"] = lot.folders;
  truth["faults"] = std::move(truth_faults);
  truth["records"] = std::move(truth_records);
  truth["pages"] = std::move(truth_pages);

  write_file_atomically(lot.catalog_file, catalogue);
  write_file_atomically(lot.truth_file, truth.dump(2) + "\n");
  return lot;
}

}  // namespace lantai::samples
