#include "pipeline/finding.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace lantai {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warn: return "warn";
    case Severity::reject: return "reject";
  }
  return "info";
}

Severity severity_from_string(std::string_view text) {
  if (text == "info") return Severity::info;
  if (text == "warn") return Severity::warn;
  if (text == "reject") return Severity::reject;
  throw std::invalid_argument("unknown severity '" + std::string(text) + "'");
}

const std::vector<FindingCode>& all_finding_codes() {
  using enum Severity;
  // Keep docs/findings.md in step: a test checks that it lists every code here.
  static const std::vector<FindingCode> codes = {
      {"catalog.empty_ref", reject, "a catalogue row has no 档号; the row is left out"},
      {"catalog.bad_ref", reject,
       "a 档号 that cannot name a folder safely (.., /, \\, control characters); the row is left out"},
      {"catalog.duplicate_ref", reject, "two catalogue rows share one 档号; the record is withheld"},
      {"catalog.bad_page_count", reject, "页数 is not a whole number; the record is withheld"},
      {"catalog.bad_row", warn, "a catalogue row has a different number of fields than the header"},
      {"ingest.bad_folder", reject, "an input folder whose name cannot be a 档号; its files are not read"},
      {"ingest.unsupported_file", warn, "a file that is not JPEG, PNG or TIFF; it is not a page"},
      {"ingest.loose_file", warn, "a file directly under --in, outside any record folder"},
      {"decode.unreadable", reject, "the file could not be opened or read"},
      {"decode.empty", reject, "the file has no bytes"},
      {"decode.truncated", reject, "the file ends before its image data does"},
      {"decode.corrupt", reject, "the image data is damaged"},
      {"decode.mislabelled", reject, "the file's content is not the format its name says"},
      {"decode.unsupported", reject, "a format or variant this profile does not accept"},
      {"decode.too_large", reject,
       "the header claims more pixels than the profile allows (decompression bomb guard)"},
      {"decode.resolution_missing", warn, "the file carries no resolution; it cannot be checked"},
      {"decode.resolution_implausible", warn,
       "the resolution tag cannot be true of a paper page; it is not trusted"},
      {"deskew.low_confidence", info, "the skew estimate is uncertain; the page was not rotated"},
      {"qc.resolution.low", reject, "scan resolution below the profile minimum"},
      {"qc.blank", reject, "the page carries no content"},
      {"qc.duplicate", reject, "the page repeats an earlier page of the same record"},
      {"ocr.failed", warn, "Tesseract could not read the page"},
      {"ocr.no_text", info, "Tesseract found no text on the page"},
      {"link.missing_page", reject, "the record folder has fewer pages than its 页数"},
      {"link.extra_page", reject, "the record folder has more pages than its 页数"},
      {"link.orphan_folder", reject, "an input folder with no catalogue entry"},
      {"link.missing_record", reject, "a catalogue entry with no input folder"},
      {"internal.exception", reject, "a stage failed unexpectedly on this unit; see the message"},
      {"verify.malformed", reject, "the bag's structure breaks RFC 8493"},
      {"verify.missing_file", reject, "a file named in a manifest is not in the bag"},
      {"verify.unlisted_file", reject, "a payload file is in no manifest"},
      {"verify.checksum_mismatch", reject, "a file's digest differs from its manifest"},
      {"verify.oxum_mismatch", reject, "Payload-Oxum differs from the payload's bytes and files"},
      {"verify.form_mismatch", reject, "the backup form's figures differ from the bag"},
  };
  return codes;
}

Finding make_finding(std::string_view code, std::string message, std::string value,
                     std::string threshold) {
  const auto& codes = all_finding_codes();
  auto it = std::find_if(codes.begin(), codes.end(),
                         [&](const FindingCode& c) { return c.code == code; });
  // A code missing here is a programming error: every code must be registered above.
  assert(it != codes.end() && "finding code not registered in finding.cpp");
  Severity severity = it != codes.end() ? it->severity : Severity::reject;
  return Finding{std::string(code), severity, std::move(value), std::move(threshold),
                 std::move(message), {}};
}

bool any_reject(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::reject; });
}

}  // namespace lantai
