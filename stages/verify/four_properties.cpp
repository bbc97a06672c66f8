#include "stages/verify/four_properties.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "pipeline/bag_signature.h"
#include "pipeline/catalog.h"
#include "pipeline/csv.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/holdings.h"
#include "pipeline/file_signature.h"
#include "pipeline/registration.h"
#include "pipeline/utf8.h"
#include "pipeline/virus_scanner.h"
#include "stages/verify/backup_form_check.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

constexpr const char* kAuthenticity = "真实性 authenticity";
constexpr const char* kIntegrity = "完整性 integrity";
constexpr const char* kUsability = "可用性 usability";
constexpr const char* kSecurity = "安全性 security";
constexpr const char* kCataloguePath = "data/catalogue/目录.csv";
constexpr const char* kEntityDir = "data/entity";
constexpr const char* kUnmappedItem = "other";
constexpr std::uint64_t kMaxMetadataBytes = 64ull << 20;  // a form or catalogue larger than this is not read

// What a file is, told from its first bytes (and, for text, from all of them being UTF-8).
enum class Format { jpeg, tiff, jp2, pdf, png, recording, text, archive, unknown };

std::string_view format_name(Format format) {
  switch (format) {
    case Format::jpeg:
      return "JPEG";
    case Format::tiff:
      return "TIFF";
    case Format::jp2:
      return "JPEG 2000";
    case Format::pdf:
      return "PDF";
    case Format::png:
      return "PNG";
    case Format::recording:
      return "audio or video recording";
    case Format::text:
      return "text (UTF-8)";
    case Format::archive:
      return "compressed archive";
    case Format::unknown:
      return "unknown";
  }
  return "unknown";
}

struct PayloadFile {
  std::string rel;
  std::uint64_t size = 0;
  Format format = Format::unknown;
  bool encrypted = false;  // a PDF with an /Encrypt dictionary
};

std::string read_head(const fs::path& file, std::size_t bytes, std::uint64_t from = 0) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::string head(bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

Format sniff(const fs::path& file, std::uint64_t size) {
  switch (file_signature_of(file)) {
    case FileSignature::jpeg: return Format::jpeg;
    case FileSignature::tiff: return Format::tiff;
    case FileSignature::jpeg2000: return Format::jp2;
    case FileSignature::pdf: return Format::pdf;
    case FileSignature::png: return Format::png;
    case FileSignature::archive: return Format::archive;
    case FileSignature::audio_video: return Format::recording;
    case FileSignature::unknown: break;
  }
  if (size <= kMaxMetadataBytes) {
    const std::string text = read_head(file, static_cast<std::size_t>(size));
    if (text.find('\0') == std::string::npos && is_valid_utf8(text)) return Format::text;
  }
  return Format::unknown;
}

// The formats a name promises, by its extension.
std::set<Format> promised_by(const std::string& name) {
  const std::string lower = ascii_lower(name);
  auto ends = [&](const char* extension) { return lower.ends_with(extension); };
  if (ends(".jpg") || ends(".jpeg")) return {Format::jpeg};
  if (ends(".tif") || ends(".tiff")) return {Format::tiff};
  if (ends(".jp2") || ends(".j2k")) return {Format::jp2};
  if (ends(".pdf")) return {Format::pdf};
  if (ends(".png")) return {Format::png};
  for (const char* extension : {".avi", ".mxf", ".wav", ".mp4", ".mov", ".mkv", ".mpg", ".mpeg", ".ts", ".mp3"})
    if (ends(extension)) return {Format::recording};
  if (ends(".txt") || ends(".csv") || ends(".xml") || ends(".json") || ends(".hocr") || ends(".html"))
    return {Format::text};
  return {};
}

// Preservation and metadata formats the deposit accepts (DA/T 31-2017: TIFF, JPEG, JPEG 2000
// images; PDF for access copies; DA/T 62-2017: recordings, their containers and codecs held
// to the profile by the av stage; GB/T 18894-2016: open text formats for metadata).
bool allowed(Format format) {
  return format == Format::jpeg || format == Format::tiff || format == Format::jp2 || format == Format::pdf ||
         format == Format::recording || format == Format::text;
}

bool pdf_encrypted(const fs::path& file, std::uint64_t size) {
  // The trailer (or the cross-reference stream) that names /Encrypt sits at the end.
  const std::uint64_t tail = std::min<std::uint64_t>(size, 1 << 20);
  return read_head(file, static_cast<std::size_t>(tail), size - tail).find("/Encrypt") != std::string::npos;
}

std::vector<PayloadFile> list_payload(const fs::path& bag_dir) {
  std::vector<PayloadFile> files;
  std::error_code error;
  fs::recursive_directory_iterator it(bag_dir / "data", error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code entry_error;
    if (!fs::is_regular_file(it->symlink_status(entry_error))) continue;
    PayloadFile file;
    file.rel = relative_utf8(it->path(), bag_dir);
    file.size = it->file_size(entry_error);
    file.format = sniff(it->path(), file.size);
    file.encrypted = file.format == Format::pdf && pdf_encrypted(it->path(), file.size);
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.rel < b.rel; });
  return files;
}

std::optional<std::string> small_file(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(file, error)) || fs::file_size(file, error) > kMaxMetadataBytes)
    return std::nullopt;
  try {
    return read_file(file);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> bag_info_field(const fs::path& bag_dir, const std::string& label) {
  auto text = small_file(bag_dir / "bag-info.txt");
  if (!text) return std::nullopt;
  const std::regex line("(^|\n)" + label + ": *([^\r\n]*)");
  std::smatch match;
  if (!std::regex_search(*text, match, line)) return std::nullopt;
  return match[2].str();
}

// Payload-Oxum's "octets.files" as numbers; nullopt when it is not that.
std::optional<std::pair<std::uint64_t, std::uint64_t>> octets_and_files(const std::string& text) {
  std::smatch match;
  if (!std::regex_match(text, match, std::regex("0*([0-9]{1,19})\\.0*([0-9]{1,19})"))) return std::nullopt;
  return std::pair{std::stoull(match[1]), std::stoull(match[2])};
}

}  // namespace

std::vector<std::string_view> report_items_for(const Finding& finding) {
  const std::string& code = finding.code;
  const std::string& message = finding.message;
  auto is = [&](std::initializer_list<std::string_view> codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  };
  if (is({"verify.checksum_mismatch"})) return {"1-1", "2-7"};
  if (is({"verify.signature", "verify.signature_unchecked", "verify.unchecked_manifest"})) return {"1-1"};
  if (is({"verify.form_mismatch", "verify.package_mismatch", "verify.chain_broken"})) return {"1-14"};
  if (is({"verify.holdings_mismatch"})) return {"1-11", "2-1"};
  if (is({"verify.oxum_mismatch"})) {
    // value: what data/ holds; threshold: what Payload-Oxum declares.
    const auto found = octets_and_files(finding.value), declared = octets_and_files(finding.threshold);
    if (!found || !declared) return {"2-2", "2-11"};
    std::vector<std::string_view> items;
    if (found->first != declared->first) items.push_back("2-2");
    if (found->second != declared->second) items.push_back("2-11");
    return items.empty() ? std::vector<std::string_view>{"2-2", "2-11"} : items;
  }
  // A required part that is missing, or a rule the parts present break.
  if (is({"verify.policy"})) return {message.find(": missing") != std::string::npos ? "2-9" : "1-13"};
  if (is({"verify.fetch_outside_payload"})) return {"1-13"};
  // A malformed payload path (a link, no data/) is structure; a malformed tag file, metadata.
  if (is({"verify.malformed"}))
    return {message.starts_with("data/") || message.find(": data/") != std::string::npos ? "1-13" : "3-1"};
  if (is({"verify.unsupported_version", "verify.bad_encoding", "verify.duplicate_entry", "verify.md5sum_prefix"}))
    return {"3-1"};
  if (is({"verify.missing_file", "verify.fetch_required", "verify.normalisation_twins", "verify.path_escape",
          "verify.case_twins"}))
    return {"2-7"};
  if (is({"verify.unlisted_file"})) return {"2-7", "4-3"};
  if (is({"verify.package_unsafe"})) return {"4-3"};
  if (is({"verify.virus_found", "verify.not_virus_scanned"})) return {"4-2"};
  return {};
}

namespace {

class Assessor {
 public:
  Assessor(const fs::path& bag_dir, const std::vector<Finding>& findings, const AssessmentContext& context)
      : bag_(bag_dir), findings_(findings), context_(context), payload_(list_payload(bag_dir)) {
    for (const PayloadFile& file : payload_) octets_ += file.size;
    if (auto text = small_file(bag_ / kBackupFormPath)) {
      try {
        form_ = nlohmann::json::parse(*text);
        if (!form_->is_object()) form_.reset();
      } catch (const nlohmann::json::exception&) {
      }
    }
    if (small_file(bag_ / utf8_path(kCataloguePath))) {
      try {
        catalog_ = load_catalog(bag_ / utf8_path(kCataloguePath));
      } catch (const std::exception& error) {
        catalog_error_ = error.what();
      }
    }
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(bag_ / utf8_path(kEntityDir), error))
      if (entry.is_directory()) entity_folders_.insert(relative_utf8(entry.path(), bag_ / utf8_path(kEntityDir)));
  }

  FourPropertiesReport run() {
    FourPropertiesReport report;
    report.checker = context_.checker;
    report.bag = bag_.string();
    report.checked_at = now_text("%Y-%m-%dT%H:%M:%S%z", TimeZone::local);
    report.items = {fixity(),          attributes(),        metadata_link(),   structure(),     package_digest(),
                    item_count(),      total_bytes(),       numbering(),       content_complete(), package_parts(),
                    file_count(),      metadata_readable(), formats_allowed(), no_encryption(), antivirus(),
                    virus_scan(),      no_extra_files()};
    route_findings(report.items);
    return report;
  }

 private:
  // Every verify finding goes to the items it bears on (report_items_for) as evidence, a
  // warning marked so; a reject fails its items. A reject no item covers fails the report
  // under a line of its own, so the report can never pass a bag verify rejects.
  void route_findings(std::vector<CheckItem>& items) const {
    CheckItem unmapped = item(kUnmappedItem, "—", "其他 verify's findings that bear on no item above");
    for (const Finding& finding : findings_) {
      const bool reject = finding.severity == Severity::reject;
      const std::string line = (reject ? "" : "warning: ") + finding.code + ": " + finding.message;
      const std::vector<std::string_view> ids = report_items_for(finding);
      if (ids.empty() && reject) {
        unmapped.evidence.push_back(line);
        unmapped.verdict = ItemVerdict::fail;
        continue;
      }
      for (CheckItem& check : items) {
        if (std::find(ids.begin(), ids.end(), check.id) == ids.end()) continue;
        check.evidence.push_back(line);
        if (reject) check.verdict = ItemVerdict::fail;
      }
    }
    if (!unmapped.evidence.empty()) {
      unmapped.measured = "reject findings of verify no item of the standard covers";
      items.push_back(std::move(unmapped));
    }
  }

  static CheckItem item(const char* id, const char* property, const char* name) { return {id, property, name}; }

  static void judge(CheckItem& check, bool failed) { check.verdict = failed ? ItemVerdict::fail : ItemVerdict::pass; }

  std::optional<std::uint64_t> form_number(const char* key) const {
    if (!form_ || !form_->contains(key) || !(*form_)[key].is_number_unsigned()) return std::nullopt;
    return (*form_)[key].get<std::uint64_t>();
  }

  std::optional<std::pair<std::uint64_t, std::uint64_t>> oxum() const {
    auto value = bag_info_field(bag_, "Payload-Oxum");
    std::smatch match;
    if (!value || !std::regex_match(*value, match, std::regex("([0-9]{1,19})\\.([0-9]{1,19})"))) return std::nullopt;
    return std::pair{std::stoull(match[1]), std::stoull(match[2])};
  }

  CheckItem fixity() const {
    CheckItem check = item("1-1", kAuthenticity, "固化信息有效性 fixity information (digests, signature) valid");
    if (!context_.digests_checked) {
      check.verdict = ItemVerdict::not_done;
      check.measured = "digests not recomputed (verify --fast)";
      return check;
    }
    std::error_code error;
    const bool signed_bag = fs::exists(fs::symlink_status(bag_ / kBagSignaturePath, error));
    std::string signature = !signed_bag ? "the bag carries no signature"
                            : context_.trusted_key
                                ? "SM2 signature checked with the key " + context_.trusted_key->fingerprint()
                                : "the bag is signed, but no key was given to check it";
    check.measured = "every file's digest recomputed against every manifest (" + std::to_string(payload_.size()) +
                     " payload files); " + signature;
    // Half of the item (the signature) was not checked: the item is not done, never passed.
    check.verdict = signed_bag && !context_.trusted_key ? ItemVerdict::not_done : ItemVerdict::pass;
    return check;
  }

  CheckItem attributes() const {
    CheckItem check =
        item("1-10", kAuthenticity, "内容数据电子属性一致性 each file's content is the format its name records");
    std::size_t checked = 0;
    for (const PayloadFile& file : payload_) {
      const std::set<Format> promised = promised_by(file.rel);
      if (promised.empty()) continue;
      ++checked;
      if (!promised.count(file.format))
        check.evidence.push_back(file.rel + ": named as " + std::string(format_name(*promised.begin())) +
                                 ", its bytes are " + std::string(format_name(file.format)));
    }
    check.measured = std::to_string(checked) + " files' formats read from their bytes and compared with their names";
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem metadata_link() const {
    CheckItem check = item("1-11", kAuthenticity, "元数据与内容关联 catalogue entries and entity folders match");
    if (!catalog_) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured = catalog_error_.empty() ? std::string("the bag has no ") + kCataloguePath
                                              : kCataloguePath + std::string(" cannot be read: ") + catalog_error_;
      return check;
    }
    std::set<std::string> refs;
    for (const CatalogRecord& record : catalog_->records) {
      refs.insert(record.ref);
      if (!entity_folders_.count(record.ref))
        check.evidence.push_back(record.ref + ": in the catalogue, but " + kEntityDir + "/" + record.ref +
                                 "/ is missing");
    }
    for (const std::string& folder : entity_folders_)
      if (!refs.count(folder))
        check.evidence.push_back(std::string(kEntityDir) + "/" + folder + "/: no catalogue entry");
    check.measured = std::to_string(catalog_->records.size()) + " catalogue entries against " +
                     std::to_string(entity_folders_.size()) + " entity folders";
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem structure() const {
    CheckItem check = item("1-13", kAuthenticity, "信息包目录结构规范性 the package's structure follows its rules");
    check.measured = std::string("bag declaration, folders and every path checked against RFC 8493") +
                     (context_.centre_policy ? " and the centre's deposit rules (BagIt 1.0, UTF-8, no fetch.txt)"
                                             : "");
    check.verdict = ItemVerdict::pass;
    return check;
  }

  CheckItem package_parts() const {
    CheckItem check = item("2-9", kIntegrity, "归档信息包完整性 the package holds every part it must");
    std::vector<std::string> present;
    std::error_code error;
    for (const char* part : {"bagit.txt", "bag-info.txt", "manifest-md5.txt", "manifest-sha256.txt", "manifest-sm3.txt",
                             "tagmanifest-md5.txt", "tagmanifest-sha256.txt", "tagmanifest-sm3.txt", kBackupFormPath,
                             kHoldingsPath, kBagSignaturePath})
      if (fs::exists(fs::symlink_status(bag_ / part, error))) present.push_back(part);
    check.measured = "present: " + join(present) +
                     (context_.centre_policy ? "; required by the centre policy: bagit.txt, bag-info.txt, the MD5 "
                                               "and SHA-256 manifests and tag manifests, " +
                                                   std::string(kBackupFormPath)
                                             : "; required by RFC 8493: bagit.txt, a payload manifest, data/");
    check.verdict = ItemVerdict::pass;
    return check;
  }

  CheckItem no_extra_files() const {
    CheckItem check = item("4-3", kSecurity, "多余文件 no file in the package that does not belong to it");
    check.measured = std::to_string(payload_.size()) +
                     " payload files each found in the manifests; a package file's entries confined to its folder";
    check.verdict = ItemVerdict::pass;
    return check;
  }

  CheckItem package_digest() const {
    CheckItem check = item("1-14", kAuthenticity, "信息包一致性 package digest equals the one the form records");
    auto manifest = small_file(bag_ / "manifest-sha256.txt");
    if (!form_ || !form_->contains("package_digests") || !(*form_)["package_digests"].is_array() || !manifest) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured = std::string("the bag has no ") + (!manifest ? "manifest-sha256.txt" : kBackupFormPath) +
                       " with package digests";
      return check;
    }
    std::vector<std::string> compared;
    for (const auto& digest : (*form_)["package_digests"]) {
      const std::string name = digest.value("algorithm", ""), stated = digest.value("value", "");
      auto algorithm = algorithm_from_form_name(name);
      if (!algorithm) {
        check.evidence.push_back(std::string(kBackupFormPath) + ": package digest in unknown algorithm '" + name + "'");
        continue;
      }
      const std::string found = hex_digest(*algorithm, *manifest);
      compared.push_back(name);
      check.evidence.push_back(name + " of manifest-sha256.txt " + found +
                               (found == ascii_lower(stated) ? ", as recorded" : ", the form records " + stated));
    }
    check.measured =
        "package digest (" + join(compared) + " of manifest-sha256.txt) computed and compared with " + kBackupFormPath;
    judge(check, compared.empty() ||
                     std::any_of(check.evidence.begin(), check.evidence.end(),
                                 [](const std::string& e) { return e.find(", as recorded") == std::string::npos; }));
    return check;
  }

  CheckItem item_count() const {
    CheckItem check = item("2-1", kIntegrity, "总件数相符性 record count (件) equals the recorded count");
    const auto stated = form_number("record_count");
    if (!stated && !catalog_) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured = "the bag records no record count (no registration form or catalogue)";
      return check;
    }
    check.measured = std::to_string(entity_folders_.size()) + " entity folders";
    if (catalog_) {
      check.measured += ", " + std::to_string(catalog_->records.size()) + " catalogue entries";
      if (catalog_->records.size() != entity_folders_.size())
        check.evidence.push_back("the catalogue lists " + std::to_string(catalog_->records.size()) + " records, " +
                                 kEntityDir + "/ holds " + std::to_string(entity_folders_.size()));
    }
    if (stated) {
      check.measured += ", the form records " + std::to_string(*stated);
      if (*stated != entity_folders_.size())
        check.evidence.push_back(std::string(kBackupFormPath) + ": record_count " + std::to_string(*stated) + ", " +
                                 kEntityDir + "/ holds " + std::to_string(entity_folders_.size()));
    }
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem total_bytes() const {
    CheckItem check = item("2-2", kIntegrity, "总字节数相符性 total bytes equal the recorded total");
    check.measured = std::to_string(octets_) + " bytes under data/";
    if (auto declared = oxum()) {
      check.measured += ", Payload-Oxum " + std::to_string(declared->first);
      if (declared->first != octets_)
        check.evidence.push_back("bag-info.txt Payload-Oxum declares " + std::to_string(declared->first) + " bytes");
    }
    if (auto stated = form_number("total_bytes")) {
      check.measured += ", the form " + std::to_string(*stated);
      if (*stated != octets_)
        check.evidence.push_back(std::string(kBackupFormPath) + ": total_bytes " + std::to_string(*stated));
    }
    if (check.measured.find(',') == std::string::npos) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured += "; nothing in the bag records a total";
      return check;
    }
    judge(check, !check.evidence.empty());
    return check;
  }

  // The 档号 the centre holds of this batch once the deposit is taken in: holdings.csv
  // (the records of earlier deposits and this one's, withdrawn ones gone), since an
  // incremental deposit's catalogue carries only its new and changed records; without
  // holdings (a bag from another tool), the catalogue's. nullopt: neither is readable.
  std::optional<std::vector<std::string>> numbered_refs(std::string& source) const {
    if (auto text = small_file(bag_ / kHoldingsPath)) {
      const auto rows = parse_csv(*text);
      if (!rows.empty()) {
        const auto& header = rows.front().second;
        const auto column = std::find(header.begin(), header.end(), kRefColumn);
        if (column != header.end()) {
          std::vector<std::string> refs;
          for (std::size_t r = 1; r < rows.size(); ++r)
            if (rows[r].second.size() == header.size()) refs.push_back(rows[r].second[column - header.begin()]);
          source = std::string(kHoldingsPath) + " (every record held after this deposit)";
          return refs;
        }
      }
    }
    if (!catalog_) return std::nullopt;
    std::vector<std::string> refs;
    for (const CatalogRecord& record : catalog_->records) refs.push_back(record.ref);
    source = kCataloguePath;
    return refs;
  }

  // 件号: the 档号's last run of digits; its series, the 档号 before it (DA/T 22-2015).
  // The declared start of every series is 件号 1: DA/T 22-2015 numbers each series from 1.
  CheckItem numbering() const {
    CheckItem check =
        item("2-6", kIntegrity, "连续性元数据项 件号 continuous in each series from the declared start (1)");
    std::string source;
    const auto refs = numbered_refs(source);
    if (!refs) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured = std::string("the bag has neither ") + kHoldingsPath + " nor " + kCataloguePath;
      return check;
    }
    static const std::regex numbered("(.*[^0-9])([0-9]+)");
    std::map<std::string, std::vector<long long>> series;
    for (const std::string& ref : *refs) {
      std::smatch match;
      if (std::regex_match(ref, match, numbered) && match[2].length() <= 9)
        series[match[1]].push_back(std::stoll(match[2]));
      else
        check.evidence.push_back(ref + ": no 件号 at its end");
    }
    for (auto& [prefix, numbers] : series) {
      std::sort(numbers.begin(), numbers.end());
      long long expected = 1;
      for (long long number : numbers) {
        if (number < expected)
          check.evidence.push_back(prefix + "…: 件号 " + std::to_string(number) + " repeated");
        else if (number > expected)
          check.evidence.push_back(prefix + "…: 件号 " + std::to_string(expected) +
                                   (number - 1 > expected ? "-" + std::to_string(number - 1) : "") + " missing");
        expected = std::max(expected, number + 1);
      }
    }
    check.measured = std::to_string(refs->size()) + " 档号 of " + source + " in " + std::to_string(series.size()) +
                     " series, each counted from 件号 1";
    if (auto withheld = form_number("withheld_record_count"); withheld && *withheld > 0)
      check.measured += "; the form notes " + std::to_string(*withheld) + " records withheld from this deposit";
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem content_complete() const {
    CheckItem check = item("2-7", kIntegrity, "内容数据完整性 every file present and complete by its digest");
    if (!context_.digests_checked) {
      check.verdict = ItemVerdict::not_done;
      check.measured = "presence checked, digests not recomputed (verify --fast)";
      return check;
    }
    check.measured = std::to_string(payload_.size()) + " payload files and every tag file listed, each read whole";
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem file_count() const {
    CheckItem check = item("2-11", kIntegrity, "信息包内容数据完整性 file count equals the declared count");
    check.measured = std::to_string(payload_.size()) + " files under data/";
    if (auto declared = oxum()) {
      check.measured += ", Payload-Oxum " + std::to_string(declared->second);
      if (declared->second != payload_.size())
        check.evidence.push_back("bag-info.txt Payload-Oxum declares " + std::to_string(declared->second) + " files");
    }
    if (auto stated = form_number("file_count")) {
      check.measured += ", the form " + std::to_string(*stated);
      if (*stated != payload_.size())
        check.evidence.push_back(std::string(kBackupFormPath) + ": file_count " + std::to_string(*stated));
    }
    if (check.measured.find(',') == std::string::npos) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured += "; nothing in the bag declares a count";
      return check;
    }
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem metadata_readable() const {
    CheckItem check = item("3-1", kUsability, "元数据可读性 the package's metadata parses");
    std::vector<std::string> read{"bagit.txt"};
    if (fs::exists(bag_ / "bag-info.txt")) read.push_back("bag-info.txt");
    if (fs::exists(bag_ / kBackupFormPath)) {
      read.push_back(kBackupFormPath);
      if (!form_) check.evidence.push_back(std::string(kBackupFormPath) + ": not a JSON object");
    }
    for (const char* json_file : {"metadata/processing-history.json"}) {
      auto text = small_file(bag_ / json_file);
      if (!text) continue;
      read.push_back(json_file);
      if (!nlohmann::json::accept(*text)) check.evidence.push_back(std::string(json_file) + ": not JSON");
    }
    if (catalog_ || !catalog_error_.empty()) {
      read.push_back(kCataloguePath);
      if (!catalog_error_.empty()) check.evidence.push_back(kCataloguePath + std::string(": ") + catalog_error_);
    }
    check.measured = "parsed: " + join(read);
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem formats_allowed() const {
    CheckItem check =
        item("3-3", kUsability, "内容数据格式 formats allowed (JPEG, TIFF, JPEG 2000, PDF; UTF-8 text for metadata)");
    std::map<Format, std::size_t> counts;
    for (const PayloadFile& file : payload_) {
      ++counts[file.format];
      if (!allowed(file.format))
        check.evidence.push_back(file.rel + ": " + std::string(format_name(file.format)) + ", not an accepted format");
    }
    std::vector<std::string> found;
    for (const auto& [format, count] : counts)
      found.push_back(std::to_string(count) + " " + std::string(format_name(format)));
    check.measured = "formats read from the bytes of " + std::to_string(payload_.size()) + " files: " + join(found);
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem no_encryption() const {
    CheckItem check =
        item("3-8", kUsability, "信息包内容数据格式合规性 no encryption, no non-public compression inside");
    for (const PayloadFile& file : payload_) {
      if (file.format == Format::archive)
        check.evidence.push_back(file.rel + ": a compressed archive inside the package");
      if (file.encrypted) check.evidence.push_back(file.rel + ": an encrypted PDF (/Encrypt)");
    }
    check.measured = std::to_string(payload_.size()) + " files examined for archive signatures and PDF encryption";
    judge(check, !check.evidence.empty());
    return check;
  }

  CheckItem antivirus() const {
    CheckItem check = item("4-1", kSecurity, "杀毒软件 an anti-virus engine with a signature database is at hand");
    if (!context_.virus_scanner) {
      check.verdict = ItemVerdict::not_done;
      check.measured = context_.virus_scan_note.empty() ? "no virus scanner was used" : context_.virus_scan_note;
      return check;
    }
    check.measured = context_.virus_scanner->describe();
    check.verdict = ItemVerdict::pass;
    return check;
  }

  CheckItem virus_scan() const {
    CheckItem check = item("4-2", kSecurity, "病毒检测 the package is free of viruses");
    if (!context_.virus_scanner) {
      check.verdict = ItemVerdict::not_done;
      check.measured = context_.virus_scan_note.empty() ? "not scanned (--no-virus-scan)" : context_.virus_scan_note;
      return check;
    }
    check.measured =
        context_.virus_scan_note.empty() ? "every file of the bag scanned with ClamAV" : context_.virus_scan_note;
    judge(check, !check.evidence.empty());
    return check;
  }

  static std::string join(const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
    return text;
  }

  const fs::path bag_;
  const std::vector<Finding>& findings_;
  const AssessmentContext& context_;
  std::vector<PayloadFile> payload_;
  std::uint64_t octets_ = 0;
  std::optional<nlohmann::json> form_;
  std::optional<Catalog> catalog_;
  std::string catalog_error_;
  std::set<std::string> entity_folders_;
};

std::string html_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

}  // namespace

std::string_view to_string(ItemVerdict verdict) {
  switch (verdict) {
    case ItemVerdict::pass:
      return "pass";
    case ItemVerdict::fail:
      return "fail";
    case ItemVerdict::not_done:
      return "not done";
    case ItemVerdict::not_applicable:
      return "not applicable";
  }
  return "not done";
}

bool FourPropertiesReport::passed() const {
  return std::none_of(items.begin(), items.end(), [](const CheckItem& c) { return c.verdict == ItemVerdict::fail; });
}

OverallResult FourPropertiesReport::result() const {
  if (!passed()) return OverallResult::fail;
  const bool all_done =
      std::none_of(items.begin(), items.end(), [](const CheckItem& c) { return c.verdict == ItemVerdict::not_done; });
  return all_done ? OverallResult::pass : OverallResult::pass_items_not_done;
}

std::string_view to_string(OverallResult result) {
  switch (result) {
    case OverallResult::pass:
      return "pass";
    case OverallResult::pass_items_not_done:
      return "pass, items not done";
    case OverallResult::fail:
      return "fail";
  }
  return "fail";
}

FourPropertiesReport assess_four_properties(const fs::path& bag_dir, const std::vector<Finding>& findings,
                                            const AssessmentContext& context) {
  return Assessor(bag_dir, findings, context).run();
}

std::string four_properties_json(const FourPropertiesReport& report) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const CheckItem& check : report.items)
    items.push_back({{"item", check.id},
                     {"property", check.property},
                     {"name", check.name},
                     {"verdict", std::string(to_string(check.verdict))},
                     {"measured", check.measured},
                     {"evidence", check.evidence}});
  nlohmann::ordered_json json = {{"report", "lantai.four-properties/1"},
                                 {"standard", "DA/T 70-2018"},
                                 {"checker", report.checker},
                                 {"bag", report.bag},
                                 {"checked_at", report.checked_at},
                                 {"result", std::string(to_string(report.result()))},
                                 {"items", items}};
  return json.dump(2) + "\n";
}

std::string four_properties_html(const FourPropertiesReport& report) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>四性检测报告 DA/T 70-2018</title>\n<style>\n"
      "@page { size: A4; margin: 15mm; }\n"
      "body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", sans-serif; font-size: 10pt; color: #000; }\n"
      "h1 { font-size: 16pt; margin: 0 0 4mm; }\n"
      "table { width: 100%; border-collapse: collapse; }\n"
      "th, td { border: 0.3mm solid #444; padding: 1.5mm; vertical-align: top; text-align: left; }\n"
      "thead { display: table-header-group; }\n"
      "tr { page-break-inside: avoid; }\n"
      ".pass { background: #e3f3e3; } .fail { background: #f8d7d7; font-weight: bold; }\n"
      ".not-done, .not-applicable { background: #eee; }\n"
      "ul { margin: 0; padding-left: 4mm; } li { word-break: break-all; }\n"
      "dl { display: grid; grid-template-columns: 30mm auto; margin: 0 0 4mm; } dt { font-weight: bold; }\n"
      "</style>\n</head>\n<body>\n<h1>四性检测报告 (DA/T 70-2018)</h1>\n<dl>\n";
  auto row = [&](const char* label, const std::string& value) {
    html += "<dt>" + std::string(label) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  row("检测方 checker", report.checker);
  row("信息包 package", report.bag);
  row("检测时间 time", report.checked_at);
  const OverallResult result = report.result();
  row("结论 result", result == OverallResult::pass                  ? "通过 pass"
                     : result == OverallResult::pass_items_not_done ? "通过，有未检项目 pass, items not done"
                                                                    : "不通过 fail");
  html +=
      "</dl>\n<table>\n<thead><tr><th>编号</th><th>性质</th><th>检测项目</th><th>结论</th><th>测量</th><th>依据</th>"
      "</tr></thead>\n<tbody>\n";
  for (const CheckItem& check : report.items) {
    std::string verdict(to_string(check.verdict));
    std::string css = verdict;
    std::replace(css.begin(), css.end(), ' ', '-');
    html += "<tr class=\"" + css + "\"><td>" + check.id + "</td><td>" + html_escape(check.property) + "</td><td>" +
            html_escape(check.name) + "</td><td>" + verdict + "</td><td>" + html_escape(check.measured) + "</td><td>";
    if (!check.evidence.empty()) {
      html += "<ul>";
      for (const std::string& line : check.evidence) html += "<li>" + html_escape(line) + "</li>";
      html += "</ul>";
    }
    html += "</td></tr>\n";
  }
  html += "</tbody>\n</table>\n</body>\n</html>\n";
  return html;
}

std::vector<fs::path> write_four_properties(const FourPropertiesReport& report, const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path json = dir / "four-properties.json", html = dir / "four-properties.html";
  write_file_atomically(json, four_properties_json(report));
  write_file_atomically(html, four_properties_html(report));
  return {json, html};
}

}  // namespace lantai::verify
