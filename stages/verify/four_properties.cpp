#include "stages/verify/four_properties.h"

#include <algorithm>
#include <cstring>
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

// What a file is, told from its bytes as they stream past once: its signature from the
// first bytes, text when every byte is UTF-8 and none NUL (files up to kMaxMetadataBytes),
// a PDF's encryption from its last MiB, where the trailer naming /Encrypt sits.
class FormatReader {
 public:
  void add(std::string_view chunk) {
    if (head_.size() < kSignatureBytes) head_.append(chunk.substr(0, kSignatureBytes - head_.size()));
    bytes_ += chunk.size();
    if (text_ && bytes_ <= kMaxMetadataBytes) check_utf8(chunk);
    else text_ = false;
    // Only a PDF's tail is looked at; the first bytes say whether it is one.
    if (head_.size() < kSignatureBytes || file_signature(head_) == FileSignature::pdf) {
      tail_.append(chunk);
      if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
    }
  }

  // The file's format and whether it is an encrypted PDF.
  std::pair<Format, bool> finish() const {
    Format format = Format::unknown;
    switch (file_signature(head_)) {
      case FileSignature::jpeg: format = Format::jpeg; break;
      case FileSignature::tiff: format = Format::tiff; break;
      case FileSignature::jpeg2000: format = Format::jp2; break;
      case FileSignature::pdf: format = Format::pdf; break;
      case FileSignature::png: format = Format::png; break;
      case FileSignature::archive: format = Format::archive; break;
      case FileSignature::audio_video: format = Format::recording; break;
      case FileSignature::unknown: format = text_ && carry_.empty() ? Format::text : Format::unknown; break;
    }
    const std::string_view tail = std::string_view(tail_).substr(tail_.size() - std::min(tail_.size(), kTailBytes));
    return {format, format == Format::pdf && tail.find("/Encrypt") != std::string_view::npos};
  }

 private:
  static constexpr std::size_t kTailBytes = 1 << 20;

  // UTF-8 across chunk boundaries: a sequence cut at the end of one chunk waits in carry_.
  void check_utf8(std::string_view chunk) {
    std::string bytes = carry_ + std::string(chunk);
    std::size_t cut = bytes.size();
    for (std::size_t back = 1; back <= 3 && back <= bytes.size(); ++back) {
      const auto lead = static_cast<unsigned char>(bytes[bytes.size() - back]);
      if ((lead & 0xC0) == 0x80) continue;
      const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (length > back) cut = bytes.size() - back;
      break;
    }
    const std::string_view whole = std::string_view(bytes).substr(0, cut);
    text_ = whole.find('\0') == std::string_view::npos && is_valid_utf8(whole);
    carry_ = bytes.substr(cut);
  }

  std::string head_, tail_, carry_;
  std::uint64_t bytes_ = 0;
  bool text_ = true;
};

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
  if (is({"verify.missing_file", "verify.fetch_required", "verify.normalisation_twins",
          "verify.normalisation_mismatch", "verify.path_escape", "verify.case_twins"}))
    return {"2-7"};
  if (is({"verify.unlisted_file"})) return {"2-7", "4-3"};
  if (is({"verify.package_unsafe"})) return {"4-3"};
  if (is({"verify.virus_found", "verify.not_virus_scanned"})) return {"4-2"};
  return {};
}

namespace {

class Assessor {
 public:
  Assessor(const BagContents& contents, std::string label, const std::vector<Finding>& findings,
           const AssessmentContext& context)
      : contents_(contents), label_(std::move(label)), findings_(findings), context_(context) {
    read_payload();
    if (auto text = small_file(kBackupFormPath)) {
      try {
        form_ = nlohmann::json::parse(*text);
        if (!form_->is_object()) form_.reset();
      } catch (const nlohmann::json::exception&) {
      }
    }
  }

  FourPropertiesReport run() {
    FourPropertiesReport report;
    report.checker = context_.checker;
    report.bag = label_;
    report.checked_at = now_text("%Y-%m-%dT%H:%M:%S%z", TimeZone::local);
    report.lantai_version = LANTAI_VERSION;
    report.batch_id = form_text("batch_id");
    report.external_identifier = bag_info_field("External-Identifier").value_or("");
    if (context_.package_file)
      for (const auto& [algorithm, hex] : context_.package_file->computed)
        if (algorithm == DigestAlgorithm::md5) report.package_md5 = hex;
    const nlohmann::json signature = form_ ? form_->value("signature", nlohmann::json::object()) : nlohmann::json();
    if (signature.is_object() && signature.contains("public_key_sm3")) {
      const std::string recorded = signature.value("public_key_sm3", "");
      report.signing_key = recorded + (!context_.trusted_key ? " (recorded by the form, not checked: no key given)"
                                       : context_.trusted_key->fingerprint() == recorded
                                           ? " (the key the signature was checked with)"
                                           : " (recorded by the form; checked with " +
                                                 context_.trusted_key->fingerprint() + ")");
    }
    report.items = {fixity(),          attributes(),        metadata_link(),   structure(),     package_digest(),
                    item_count(),      total_bytes(),       numbering(),       content_complete(), package_parts(),
                    file_count(),      metadata_readable(), formats_allowed(), no_encryption(), antivirus(),
                    virus_scan(),      no_extra_files()};
    route_findings(report.items);
    return report;
  }

 private:
  // The payload listed and every file of it read once, through the same contents verify
  // read (a folder or a package file): formats, the catalogue's bytes, the entity folders.
  void read_payload() {
    std::string problem;
    std::vector<std::string> paths;
    for (const ContentEntry& entry : contents_.list("data", true, problem)) {
      if (entry.type == EntryType::file) {
        payload_.push_back({entry.path, entry.size});
        paths.push_back(entry.path);
      } else if (entry.type == EntryType::folder && entry.path.starts_with(std::string(kEntityDir) + "/") &&
                 entry.path.find('/', std::strlen(kEntityDir) + 1) == std::string::npos) {
        entity_folders_.insert(entry.path.substr(std::strlen(kEntityDir) + 1));
      }
    }
    std::sort(payload_.begin(), payload_.end(), [](const auto& a, const auto& b) { return a.rel < b.rel; });
    std::map<std::string, PayloadFile*> by_path;
    for (PayloadFile& file : payload_) {
      octets_ += file.size;
      by_path[file.rel] = &file;
      // A package need not list folders as entries of their own.
      const std::string entity_prefix = std::string(kEntityDir) + "/";
      if (file.rel.starts_with(entity_prefix) && file.rel.find('/', entity_prefix.size()) != std::string::npos)
        entity_folders_.insert(file.rel.substr(entity_prefix.size(),
                                               file.rel.find('/', entity_prefix.size()) - entity_prefix.size()));
    }
    FormatReader reader;
    std::string catalogue;
    bool catalogue_too_large = false;
    contents_.stream(paths, [&](const std::string& path, std::string_view chunk, bool end) {
      if (path == kCataloguePath) {
        catalogue_too_large = catalogue_too_large || catalogue.size() + chunk.size() > kMaxMetadataBytes;
        if (!catalogue_too_large) catalogue.append(chunk);
      }
      if (!end) return reader.add(chunk);
      std::tie(by_path[path]->format, by_path[path]->encrypted) = reader.finish();
      reader = FormatReader();
    });
    if (!by_path.count(kCataloguePath)) return;
    if (catalogue_too_large) {
      catalog_error_ = "larger than " + std::to_string(kMaxMetadataBytes >> 20) + " MiB, not read";
      return;
    }
    try {
      catalog_ = parse_catalog(utf8_path(kCataloguePath), catalogue);
    } catch (const std::exception& error) {
      catalog_error_ = error.what();
    }
  }

  bool exists(const std::string& path) const { return contents_.type(path) != EntryType::absent; }

  // A tag file's bytes, when it is a plain file small enough to read whole.
  std::optional<std::string> small_file(const std::string& path) const {
    if (contents_.type(path) != EntryType::file || contents_.size(path) > kMaxMetadataBytes) return std::nullopt;
    try {
      return contents_.read(path);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  std::optional<std::string> bag_info_field(const std::string& label) const {
    auto text = small_file("bag-info.txt");
    if (!text) return std::nullopt;
    const std::regex line("(^|\n)" + label + ": *([^\r\n]*)");
    std::smatch match;
    if (!std::regex_search(*text, match, line)) return std::nullopt;
    return match[2].str();
  }

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

  std::string form_text(const char* key) const {
    if (!form_) return "";
    const auto found = form_->find(key);
    return found != form_->end() && found->is_string() ? found->get<std::string>() : "";
  }

  std::optional<std::uint64_t> form_number(const char* key) const {
    if (!form_ || !form_->contains(key) || !(*form_)[key].is_number_unsigned()) return std::nullopt;
    return (*form_)[key].get<std::uint64_t>();
  }

  std::optional<std::pair<std::uint64_t, std::uint64_t>> oxum() const {
    auto value = bag_info_field("Payload-Oxum");
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
    const bool signed_bag = exists(kBagSignaturePath);
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
    for (const char* part : {"bagit.txt", "bag-info.txt", "manifest-md5.txt", "manifest-sha256.txt", "manifest-sm3.txt",
                             "tagmanifest-md5.txt", "tagmanifest-sha256.txt", "tagmanifest-sm3.txt", kBackupFormPath,
                             kHoldingsPath, kBagSignaturePath})
      if (exists(part)) present.push_back(part);
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

  // Two digests: the package file's own (MD5, SHA-256: what the centre recomputes on the
  // file it received) against package.json, whose figures the printed forms carry; and the
  // payload digest (of manifest-sha256.txt) against the backup form inside the bag.
  CheckItem package_digest() const {
    CheckItem check = item("1-14", kAuthenticity, "信息包一致性 package digest equals the one the form records");
    std::vector<std::string> measured;
    bool mismatch = false;
    if (const auto& package = context_.package_file) {
      if (package->computed.empty()) {
        check.evidence.push_back(package->file + ": not read whole (verify --fast, or damaged), its digest not taken");
        mismatch = mismatch || context_.digests_checked;
      }
      std::vector<std::string> names;
      for (const auto& [algorithm, found] : package->computed) {
        const std::string name(form_algorithm_name(algorithm));
        names.push_back(name);
        const auto stated = std::find_if(package->stated.begin(), package->stated.end(),
                                         [&](const auto& digest) { return digest.first == algorithm; });
        std::string line = name + " of " + package->file + " " + found;
        if (package->form.empty()) {
          line += ", no package.json to compare it with";
        } else if (stated == package->stated.end()) {
          line += ", package.json states none";
        } else if (ascii_lower(stated->second) == found) {
          line += ", as package.json records";
        } else {
          line += ", package.json records " + stated->second;
          mismatch = true;
        }
        check.evidence.push_back(line);
      }
      measured.push_back("the package file's " + join(names) + " computed" +
                         (package->form.empty() ? "" : " and compared with " + package->form));
    }
    auto manifest = small_file("manifest-sha256.txt");
    if (form_ && form_->contains("package_digests") && (*form_)["package_digests"].is_array() && manifest) {
      std::vector<std::string> compared;
      for (const auto& digest : (*form_)["package_digests"]) {
        const std::string name = digest.value("algorithm", ""), stated = digest.value("value", "");
        auto algorithm = algorithm_from_form_name(name);
        if (!algorithm) {
          check.evidence.push_back(std::string(kBackupFormPath) + ": package digest in unknown algorithm '" + name +
                                   "'");
          mismatch = true;
          continue;
        }
        const std::string found = hex_digest(*algorithm, *manifest);
        compared.push_back(name);
        const bool same = found == ascii_lower(stated);
        mismatch = mismatch || !same;
        check.evidence.push_back(name + " of manifest-sha256.txt " + found +
                                 (same ? ", as recorded" : ", the form records " + stated));
      }
      mismatch = mismatch || compared.empty();
      measured.push_back("the payload digest (" + join(compared) + " of manifest-sha256.txt) computed and compared with " +
                         kBackupFormPath);
    }
    if (measured.empty()) {
      check.verdict = ItemVerdict::not_applicable;
      check.measured = std::string("no package file, and the bag has no ") +
                       (!manifest ? "manifest-sha256.txt" : kBackupFormPath) + " with package digests";
      return check;
    }
    check.measured = join(measured, "; ");
    judge(check, mismatch);
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
    if (auto text = small_file(kHoldingsPath)) {
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
    if (exists("bag-info.txt")) read.push_back("bag-info.txt");
    if (exists(kBackupFormPath)) {
      read.push_back(kBackupFormPath);
      if (!form_) check.evidence.push_back(std::string(kBackupFormPath) + ": not a JSON object");
    }
    for (const char* json_file : {"metadata/processing-history.json"}) {
      auto text = small_file(json_file);
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

  static std::string join(const std::vector<std::string>& parts, const std::string& separator = ", ") {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
    return text;
  }

  const BagContents& contents_;
  const std::string label_;
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

FourPropertiesReport assess_four_properties(const BagContents& contents, const std::string& label,
                                            const std::vector<Finding>& findings, const AssessmentContext& context) {
  return Assessor(contents, label, findings, context).run();
}

FourPropertiesReport assess_four_properties(const fs::path& bag_dir, const std::vector<Finding>& findings,
                                            const AssessmentContext& context) {
  return assess_four_properties(*folder_contents(bag_dir), bag_dir.string(), findings, context);
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
                                 {"batch_id", report.batch_id},
                                 {"external_identifier", report.external_identifier},
                                 {"package_md5", report.package_md5},
                                 {"signing_key_sm3", report.signing_key},
                                 {"lantai_version", report.lantai_version},
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
      "dl { display: grid; grid-template-columns: 40mm auto; margin: 0 0 4mm; } dt { font-weight: bold; }\n"
      "tbody td:first-child { white-space: nowrap; }\n"
      "dd { margin: 0; word-break: break-all; }\n"
      ".signatures { margin-top: 8mm; page-break-inside: avoid; } .signatures td { width: 35%; height: 14mm; }\n"
      ".signatures th { width: 15%; }\n"
      "</style>\n</head>\n<body>\n<h1>四性检测报告 (DA/T 70-2018)</h1>\n<dl>\n";
  auto row = [&](const char* label, const std::string& value) {
    html += "<dt>" + std::string(label) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  auto given = [](const std::string& value) { return value.empty() ? std::string("—") : value; };
  row("检测方 checker", report.checker);
  row("信息包 package", report.bag);
  row("批次 batch", given(report.batch_id));
  row("External-Identifier", given(report.external_identifier));
  row("信息包 MD5", report.package_md5.empty() ? "— (a bag folder; no package file read)" : report.package_md5);
  row("签名密钥 signing key", report.signing_key.empty() ? "— (the bag is not signed)" : report.signing_key);
  row("检测软件 software", "lantai " + report.lantai_version);
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
  html += "</tbody>\n</table>\n";
  // Signed by hand on the printed page: who checked (检测人) and who approved (审核人).
  html +=
      "<table class=\"signatures\">\n<tr><th>检测人 checked by</th><td></td><th>日期 date</th><td></td></tr>\n"
      "<tr><th>审核人 approved by</th><td></td><th>日期 date</th><td></td></tr>\n</table>\n</body>\n</html>\n";
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
