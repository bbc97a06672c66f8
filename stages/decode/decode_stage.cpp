#include "stages/decode/decode_stage.h"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include <lcms2.h>
#include <png.h>

#include "pipeline/digest.h"
#include "pipeline/format.h"
#include "pipeline/library_versions.h"
#include "pipeline/photo_metadata.h"
#include "stages/decode/image_format.h"
#include "stages/decode/image_probe.h"
#include "stages/decode/jp2_reader.h"
#include "stages/decode/jpeg_reader.h"
#include "stages/decode/page_stitcher.h"
#include "stages/decode/png_reader.h"
#include "stages/decode/tiff_reader.h"

namespace lantai::decode {

namespace {

// 300 Mpx lets through an A1 sheet at 600 dpi (279 Mpx) or an A0 at 400 dpi (248 Mpx);
// an A0 at 600 dpi (558 Mpx, 1.7 GB as BGR, more again in later stages) needs a profile
// that raises it and fewer --jobs.
constexpr IntegerParam kMaxPixels{
    "max_pixels", "px", 1, 2'000'000'000, 300'000'000,
    "largest width x height a page may claim; larger headers are refused before decoding (decompression bombs)"};
constexpr NumberParam kMinPlausibleDpi{"min_plausible_dpi", "dpi", 1, 100'000, 50,
                                       "resolution tags below this are not trusted"};
constexpr NumberParam kMaxPlausibleDpi{"max_plausible_dpi", "dpi", 1, 100'000, 4800,
                                       "resolution tags above this are not trusted"};
constexpr NumberParam kMaxPlausiblePageSizeMm{
    "max_plausible_page_size_mm", "mm", 10, 100'000, 1200,
    "a resolution tag implying a page side longer than this is not trusted (default: A0's long side + 1%)"};

constexpr NumberParam kStitchMinOverlap{
    "stitch_min_overlap_share", "share", 0, 1, 0.333,
    "a page scanned in parts: each seam's overlap, as a share of the smaller part, at least this (DA/T 31-2017: 1/3)"};
constexpr NumberParam kStitchMaxSeamError{
    "stitch_max_seam_error", "grey levels", 0, 255, 12,
    "a page scanned in parts: RMS grey difference of two parts over their overlap, as registered, at most this"};

constexpr NumberParam kStitchRejectSeamError{
    "stitch_reject_seam_error", "grey levels", 0, 255, 25,
    "a page scanned in parts: parts differing by more than this over their overlap as registered are not of one page "
    "(a false registration): stitch.failed"};

constexpr FindingCode kUnreadable{"decode.unreadable", Severity::reject, "the file could not be opened or read"};
constexpr FindingCode kEmpty{"decode.empty", Severity::reject, "the file has no bytes"};
constexpr FindingCode kTruncated{"decode.truncated", Severity::reject, "the file ends before its image data does"};
constexpr FindingCode kCorrupt{"decode.corrupt", Severity::reject, "the image data is damaged"};
constexpr FindingCode kMislabelled{"decode.mislabelled", Severity::reject,
                                   "the file's content is not the format its name says"};
constexpr FindingCode kUnsupported{"decode.unsupported", Severity::reject,
                                   "a format or variant this profile does not accept"};
constexpr FindingCode kTooLarge{
    "decode.too_large", Severity::reject,
    "the page would need more memory than the profile allows: more pixels than max_pixels, or a strip, tile or "
    "buffer over the cap (decompression bomb guard)"};
constexpr FindingCode kResolutionMissing{"decode.resolution_missing", Severity::warn,
                                         "the file carries no resolution; it cannot be checked"};
constexpr FindingCode kResolutionImplausible{"decode.resolution_implausible", Severity::warn,
                                             "the resolution tag cannot be true of a paper page; it is not trusted"};

constexpr FindingCode kStitchFailed{
    "stitch.failed", Severity::reject,
    "the parts of a page scanned in parts could not be registered into one page; the parts are kept as scanned and "
    "the page waits for review"};
constexpr FindingCode kStitchLowOverlap{
    "stitch.low_overlap", Severity::warn,
    "two parts of a page scanned in parts overlap by less than the profile's share of the smaller part (DA/T "
    "31-2017 asks at least 1/3)"};
constexpr FindingCode kStitchSeamError{
    "stitch.seam_error", Severity::warn,
    "two parts of a page scanned in parts disagree over their overlap as registered (RMS grey difference above the "
    "profile's): the seam may show a step or doubled strokes"};

constexpr MeasurementInfo kStitchParts{"stitch_parts", "a page scanned in parts: how many parts were stitched", true};
constexpr MeasurementInfo kStitchOverlap{
    "stitch_overlap_share", "a page scanned in parts: the smallest seam's overlap, as a share of the smaller part"};
constexpr MeasurementInfo kStitchSeamErrorGrey{
    "stitch_seam_error", "a page scanned in parts: the worst seam's RMS grey difference over the overlap (0-255)"};
constexpr MeasurementInfo kStitchSeams{
    "stitch_seams", "a page scanned in parts: each seam's parts, overlap share and RMS grey difference"};

constexpr MeasurementInfo kWidth{"width_px", "image width as stored"};
constexpr MeasurementInfo kHeight{"height_px", "image height as stored"};
constexpr MeasurementInfo kColourMode{"colour_mode", "bilevel, grey or colour, as the file stores the page"};
constexpr MeasurementInfo kBitsPerSample{"bits_per_sample",
                                         "bits of each colour sample as the file stores them (1, 8, 16), before "
                                         "the reduction to 8 bits every later stage reads", true};
constexpr MeasurementInfo kResolution{"resolution_dpi",
                                      "scan resolution from the file's tags, only when plausible (the smaller axis)", true};
// Provenance of the derivative (ISO/TR 13028 process metadata): which scan it was made from
// and what that file says of its capture.
constexpr MeasurementInfo kSourceSha256{"source_sha256",
                                        "SHA-256 of the scan as delivered (of each part, ';'-separated, for a page "
                                        "scanned in parts): proves which original the derivative was made from"};
constexpr MeasurementInfo kSourceBytes{"source_bytes", "size of the scan as delivered (of all its parts)"};
constexpr MeasurementInfo kScannerMake{"scanner_make", "the capture device's maker, as the file's TIFF/EXIF Make says"};
constexpr MeasurementInfo kScannerModel{"scanner_model", "the capture device, as the file's TIFF/EXIF Model says"};
constexpr MeasurementInfo kCaptureSoftware{"capture_software",
                                           "what wrote the scan, as the file's TIFF/EXIF Software says"};
constexpr MeasurementInfo kCaptureDate{"capture_datetime",
                                       "when the scan was made, as the file's EXIF DateTimeOriginal or TIFF DateTime "
                                       "says"};

// The decoded page, a processed copy and an analysis or scratch copy: what a page holds
// at most on its way through the page chain.
constexpr std::uint64_t kWorkingCopies = 3;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

std::string error_text(int error) {
  char buffer[256];
  return ::strerror_r(error, buffer, sizeof buffer);  // GNU: returns the message
}

const FindingCode& code_of(Problem problem) {
  switch (problem) {
    case Problem::unreadable: return kUnreadable;
    case Problem::truncated: return kTruncated;
    case Problem::corrupt: return kCorrupt;
    case Problem::unsupported: return kUnsupported;
    case Problem::too_large: return kTooLarge;
    case Problem::none: break;
  }
  return kCorrupt;
}

std::string reason_of(const DecodedImage& decoded) {
  switch (decoded.problem) {
    case Problem::truncated: return "the file ends before its image data does: " + decoded.detail;
    case Problem::corrupt: return "damaged image data: " + decoded.detail;
    case Problem::unreadable: return "cannot be read: " + decoded.detail;
    default: return decoded.detail;
  }
}

// Collects one page's findings, each message starting with the page's name.
class Report {
 public:
  Report(const Item& page, Outcome& outcome)
      : page_(page),
        outcome_(outcome),
        name_(page.frame > 0 ? page.rel_path + " (frame " + std::to_string(page.frame) + ")" : page.rel_path) {}

  void add(const FindingCode& code, const std::string& reason, std::string value = {}, std::string threshold = {}) {
    std::string message = one_line(name_ + ": " + reason);
    // Library messages may quote the absolute path; the page's own name is enough.
    const std::string absolute = page_.source.string();
    for (auto at = absolute.empty() ? std::string::npos : message.find(absolute); at != std::string::npos;
         at = message.find(absolute, at + page_.rel_path.size()))
      message.replace(at, absolute.size(), page_.rel_path);
    outcome_.add(code(std::move(message), std::move(value), std::move(threshold)));
  }

 private:
  const Item& page_;
  Outcome& outcome_;
  std::string name_;
};

// The original, open, with its first bytes read.
struct OpenedSource {
  std::unique_ptr<std::FILE, FileCloser> file;
  std::array<unsigned char, kSignatureBytes> head_bytes{};
  std::size_t head_size = 0;
  std::uint64_t size_bytes = 0;
  std::span<const unsigned char> head() const { return {head_bytes.data(), head_size}; }
};

bool open_source(const Item& page, OpenedSource& source, Report& report) {
  source.file.reset(std::fopen(page.source.c_str(), "rb"));
  if (!source.file) {
    report.add(kUnreadable, "cannot be opened: " + error_text(errno));
    return false;
  }
  struct stat status {};
  if (::fstat(::fileno(source.file.get()), &status) != 0 || !S_ISREG(status.st_mode)) {
    report.add(kUnreadable, "is not a regular file");
    return false;
  }
  source.size_bytes = static_cast<std::uint64_t>(status.st_size);
  if (source.size_bytes == 0) {
    report.add(kEmpty, "the file is empty (0 bytes)", "0");
    return false;
  }
  source.head_size = std::fread(source.head_bytes.data(), 1, source.head_bytes.size(), source.file.get());
  if (std::ferror(source.file.get())) {
    report.add(kUnreadable, "cannot be read: " + error_text(errno));
    return false;
  }
  return true;
}

// The format to decode, told from the content; unknown (with a finding) when the page
// cannot be decoded: unrecognised content, a damaged signature, or a name promising
// another format (mislabelled files are not decoded at all).
ImageFormat check_format(const Item& page, const OpenedSource& source, Report& report) {
  const Signature signature = sniff_format(source.head());
  const ImageFormat named = format_from_extension(page.source);
  const std::string extension = page.source.extension().string();
  if (signature.format == ImageFormat::unknown) {
    if (named != ImageFormat::unknown && has_damaged_signature(named, source.head()))
      report.add(kCorrupt, "damaged image data: the " + std::string(format_name(named)) +
                                       " signature is broken (starts with " + hex_prefix(source.head(), 8) + ")");
    else if (named != ImageFormat::unknown && !signature.other_name.empty())
      report.add(kMislabelled, "named " + extension + " but holds " + signature.other_name + " data",
                 signature.other_name, std::string(format_name(named)));
    else
      report.add(kUnsupported, "not a JPEG, PNG, TIFF or JPEG 2000 image (" +
                                           (signature.other_name.empty() ? "starts with " + hex_prefix(source.head())
                                                                         : "it is " + signature.other_name) +
                                           ")");
    return ImageFormat::unknown;
  }
  if (named != ImageFormat::unknown && named != signature.format) {
    report.add(kMislabelled,
               "named " + extension + " but holds " + std::string(format_name(signature.format)) + " data",
               std::string(format_name(signature.format)), std::string(format_name(named)));
    return ImageFormat::unknown;
  }
  if (page.frame > 0 && signature.format != ImageFormat::tiff) {
    report.add(kUnsupported, "a " + std::string(format_name(signature.format)) + " file has no frame " +
                                         std::to_string(page.frame));
    return ImageFormat::unknown;
  }
  return signature.format;
}

DecodedImage read_page(const Item& page, ImageFormat format, OpenedSource& source, const ReadLimits& limits) {
  switch (format) {
    case ImageFormat::jpeg:
      std::rewind(source.file.get());
      return read_jpeg(source.file.get(), limits);
    case ImageFormat::png:
      std::rewind(source.file.get());
      return read_png(source.file.get(), limits);
    case ImageFormat::jpeg2000:
      std::rewind(source.file.get());
      return read_jp2(source.file.get(), limits);
    case ImageFormat::tiff:
      source.file.reset();  // libtiff opens its own handle
      return read_tiff(page.source, page.frame, source.head(), source.size_bytes, limits);
    case ImageFormat::unknown: break;
  }
  return {};
}

// Facts and findings from what the reader found.
void record(DecodedImage decoded, const DecodeSettings& settings, Outcome& outcome, Report& report) {
  outcome.measurements.set(kWidth.name, decoded.width_px);
  outcome.measurements.set(kHeight.name, decoded.height_px);
  outcome.measurements.set(kColourMode.name, std::string(to_string(decoded.colour_mode)));
  outcome.measurements.set(kBitsPerSample.name, decoded.bits_per_sample);
  if (decoded.problem == Problem::too_large) {
    report.add(code_of(decoded.problem), reason_of(decoded), std::to_string(decoded.claimed_pixels),
               std::to_string(settings.limits.max_pixels));
    return;
  }
  if (decoded.problem != Problem::none) {
    report.add(code_of(decoded.problem), reason_of(decoded));
    return;
  }
  outcome.image = std::move(decoded.image);

  if (!decoded.resolution) {
    report.add(kResolutionMissing, "carries no resolution (" + decoded.missing_resolution_note + ")");
    return;
  }
  const ResolutionRule& rule = settings.resolution;
  const ResolutionVerdict verdict = judge_resolution(*decoded.resolution, decoded.width_px, decoded.height_px, rule);
  if (verdict.plausible) {
    outcome.measurements.set(kResolution.name, verdict.dpi);
    return;
  }
  report.add(kResolutionImplausible,
             "the " + decoded.resolution->source + " resolution " + verdict.reason + "; it is not trusted",
             trimmed(verdict.dpi, 2),
             trimmed(rule.min_dpi, 2) + "-" + trimmed(rule.max_dpi, 2) + " dpi, page sides up to " +
                 trimmed(rule.max_page_mm, 2) + " mm");
}

// Decodes one file of a page (the page's own, or one of its parts) as the page's
// reader would; its findings name that file.
Outcome decode_file(const Item& file, const DecodeSettings& settings) {
  Outcome outcome;
  Report report(file, outcome);
  OpenedSource source;
  if (!open_source(file, source, report)) return outcome;
  const ImageFormat format = check_format(file, source, report);
  if (format == ImageFormat::unknown) return outcome;
  record(read_page(file, format, source, settings.limits), settings, outcome, report);
  return outcome;
}

std::string letter(int part) { return std::string(1, static_cast<char>('a' + part)); }

// The scan's (or its parts') digest and size, and what the first file says of its capture.
struct Provenance {
  std::string sha256;  // each file's, ';'-separated
  double bytes = 0;
  PhotoMetadata capture;
};

Provenance read_provenance(const std::vector<std::filesystem::path>& sources) {
  Provenance provenance;
  for (const auto& source : sources) {
    provenance.sha256 += (provenance.sha256.empty() ? "" : ";") +
                         hex_digests_of_file(source, {DigestAlgorithm::sha256}).front();
    provenance.bytes += static_cast<double>(std::filesystem::file_size(source));
  }
  try {
    provenance.capture = read_photo_metadata(sources.front());
  } catch (const PhotoMetadataError&) {
    // metadata exiv2 cannot read: the pixels decoded, the provenance is the digest
  }
  return provenance;
}

}  // namespace

// A multi-page TIFF is one file holding many pages: its digest and capture metadata are
// read once, not once a frame (a file of 300 frames would otherwise be read 300 times).
// Keyed by path, size and time of change, so a file replaced between runs is read again.
class ProvenanceCache {
 public:
  std::shared_ptr<const Provenance> of(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    const auto changed = std::filesystem::last_write_time(file, error);
    const std::string key = file.string() + "|" + std::to_string(size) + "|" +
                            std::to_string(changed.time_since_epoch().count());
    {
      std::lock_guard lock(mutex_);
      for (const auto& [cached_key, provenance] : recent_)
        if (cached_key == key) return provenance;
    }
    auto provenance = std::make_shared<const Provenance>(read_provenance({file}));  // outside the lock
    std::lock_guard lock(mutex_);
    recent_.emplace_back(key, provenance);
    if (recent_.size() > kKept) recent_.erase(recent_.begin());
    return provenance;
  }

 private:
  static constexpr std::size_t kKept = 8;  // the files the worker threads are in at once, and more
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::shared_ptr<const Provenance>>> recent_;
};

namespace {

// Read only for a page that decoded: a refused file is not deposited.
void record_provenance(const Provenance& provenance, Outcome& outcome) {
  outcome.measurements.set(kSourceSha256.name, provenance.sha256);
  outcome.measurements.set(kSourceBytes.name, provenance.bytes);
  const PhotoMetadata& capture = provenance.capture;
  const std::pair<const MeasurementInfo&, const std::string&> said[] = {
      {kScannerMake, capture.make},
      {kScannerModel, capture.model},
      {kCaptureSoftware, capture.software},
      {kCaptureDate, capture.capture_date.empty() ? capture.file_date : capture.capture_date}};
  for (const auto& [measurement, value] : said)
    if (!value.empty()) outcome.measurements.set(measurement.name, value);
}

// A page scanned in parts: each part decoded with every check a page has, then the
// parts stitched (拼接) into one page, measured seam by seam.
Outcome decode_parts(const Item& page, const DecodeSettings& settings) {
  Outcome outcome;
  std::string names;
  for (const Item::Part& part : page.parts) names += (names.empty() ? "" : " + ") + part.rel_path;
  outcome.measurements.set(kStitchParts.name, static_cast<double>(page.parts.size()));

  std::vector<cv::Mat> parts;
  std::optional<double> resolution;
  bool all_read = true;
  for (const Item::Part& part : page.parts) {
    Item file;
    file.rel_path = part.rel_path;
    file.source = part.source;
    Outcome read = decode_file(file, settings);
    for (Finding& finding : read.findings) outcome.add(std::move(finding));
    if (!read.image) {
      all_read = false;
      continue;
    }
    if (!resolution) resolution = read.measurements.number(kResolution.name);
    parts.push_back(std::move(*read.image));
  }
  if (!all_read) return outcome;  // a part's decode.* finding rejects the page

  StitchedPage stitched = stitch_page(parts, settings.limits.max_pixels);
  if (!stitched.ok) {
    if (stitched.too_large)
      outcome.add(kTooLarge(one_line(names + ": " + stitched.failure), std::to_string(stitched.claimed_pixels),
                            std::to_string(settings.limits.max_pixels)));
    else
      outcome.add(kStitchFailed(one_line(names + ": could not be stitched: " + stitched.failure +
                                         "; the parts are kept as scanned")));
    return outcome;
  }
  for (const Seam& seam : stitched.seams)
    if (seam.measured && seam.error_grey > settings.stitch_reject_seam_error) {
      outcome.add(kStitchFailed(one_line(names + ": could not be stitched: parts " + page.parts[seam.first].rel_path +
                                         " and " + page.parts[seam.first + 1].rel_path + " differ by " +
                                         trimmed(seam.error_grey, 2) +
                                         " grey levels (RMS) where they were matched (not one page?); the parts are "
                                         "kept as scanned"),
                                trimmed(seam.error_grey, 2), trimmed(settings.stitch_reject_seam_error, 2)));
      return outcome;
    }
  double smallest_overlap = 1, worst_error = 0;
  std::string seams;
  for (const Seam& seam : stitched.seams) {
    const std::string pair = letter(seam.first) + "|" + letter(seam.first + 1);
    smallest_overlap = std::min(smallest_overlap, seam.overlap_share);
    worst_error = std::max(worst_error, seam.error_grey);
    seams += (seams.empty() ? "" : "; ") + pair + " overlap " + trimmed(seam.overlap_share, 3) + " error " +
             trimmed(seam.error_grey, 2);
    const std::string between = names + ": parts " + page.parts[seam.first].rel_path + " and " +
                                page.parts[seam.first + 1].rel_path;
    if (seam.overlap_share < settings.stitch_min_overlap_share)
      outcome.add(kStitchLowOverlap(one_line(between + " overlap by " + trimmed(seam.overlap_share * 100, 1) +
                                             "% of the smaller part, less than " +
                                             trimmed(settings.stitch_min_overlap_share * 100, 1) + "%"),
                                    trimmed(seam.overlap_share, 3), trimmed(settings.stitch_min_overlap_share, 3)));
    if (seam.measured && seam.error_grey > settings.stitch_max_seam_error)
      outcome.add(kStitchSeamError(one_line(between + " differ by " + trimmed(seam.error_grey, 2) +
                                            " grey levels (RMS) over their overlap as registered; look at the seam"),
                                   trimmed(seam.error_grey, 2), trimmed(settings.stitch_max_seam_error, 2)));
  }
  outcome.measurements.set(kStitchOverlap.name, smallest_overlap);
  outcome.measurements.set(kStitchSeamErrorGrey.name, worst_error);
  outcome.measurements.set(kStitchSeams.name, seams);
  outcome.measurements.set(kWidth.name, stitched.page.cols);
  outcome.measurements.set(kHeight.name, stitched.page.rows);
  outcome.measurements.set(kColourMode.name,
                           std::string(to_string(stitched.page.channels() == 3 ? ColourMode::colour : ColourMode::grey)));
  if (resolution) outcome.measurements.set(kResolution.name, *resolution);
  outcome.image = std::move(stitched.page);
  std::vector<std::filesystem::path> sources;
  for (const Item::Part& part : page.parts) sources.push_back(part.source);
  record_provenance(read_provenance(sources), outcome);
  return outcome;
}

}  // namespace

StageInfo DecodeStage::describe() const {
  StageInfo info{"decode",
                 "Reads each page (JPEG, PNG, JPEG 2000 or a TIFF frame) by its content, refusing damaged, mislabelled and "
                 "oversized files, and records its size, colour mode and a resolution only when plausible; a page scanned "
                 "in parts is stitched (拼接) into one, each seam's overlap and error measured.",
                 "4",  // 4: the scan's provenance recorded, a looping TIFF chain named
                 {kMaxPixels.info(), kMinPlausibleDpi.info(), kMaxPlausibleDpi.info(), kMaxPlausiblePageSizeMm.info(),
                  kStitchMinOverlap.info(), kStitchMaxSeamError.info(), kStitchRejectSeamError.info()},
                 {kUnreadable, kEmpty, kTruncated, kCorrupt, kMislabelled, kUnsupported, kTooLarge, kResolutionMissing,
                  kResolutionImplausible, kStitchFailed, kStitchLowOverlap, kStitchSeamError},
                 {kWidth, kHeight, kColourMode, kBitsPerSample, kResolution, kStitchParts, kStitchOverlap, kStitchSeamErrorGrey, kStitchSeams,
                  kSourceSha256, kSourceBytes, kScannerMake, kScannerModel, kCaptureSoftware, kCaptureDate},
                 {},
                 true};
  const int lcms = cmsGetEncodedCMMversion();  // 2140: 2.14
  info.libraries = {libtiff_library(),
                    libjpeg_turbo_library(),
                    "libpng " + std::string(png_get_libpng_ver(nullptr)),
                    openjpeg_library(),
                    "LittleCMS " + std::to_string(lcms / 1000) + "." + std::to_string(lcms % 1000 / 10),
                    opencv_library(),
                    exiv2_library()};
  return info;
}

void DecodeStage::setup(ProfileSection& section, const StageContext&) {
  DecodeSettings settings;
  settings.limits.max_pixels = section.get(kMaxPixels);
  settings.resolution.min_dpi = section.get(kMinPlausibleDpi);
  settings.resolution.max_dpi = section.get(kMaxPlausibleDpi);
  settings.resolution.max_page_mm = section.get(kMaxPlausiblePageSizeMm);
  settings.stitch_min_overlap_share = section.get(kStitchMinOverlap);
  settings.stitch_max_seam_error = section.get(kStitchMaxSeamError);
  settings.stitch_reject_seam_error = section.get(kStitchRejectSeamError);
  section.finish();
  provenance_ = std::make_shared<ProvenanceCache>();
  if (settings.resolution.min_dpi >= settings.resolution.max_dpi)
    section.fail(kMinPlausibleDpi.name, trimmed(settings.resolution.min_dpi, 2) + " must be below " +
                                            kMaxPlausibleDpi.name + " (" +
                                            trimmed(settings.resolution.max_dpi, 2) + ")");
  if (settings.stitch_reject_seam_error < settings.stitch_max_seam_error)
    section.fail(kStitchRejectSeamError.name, trimmed(settings.stitch_reject_seam_error, 2) + " must not be below " +
                                                  kStitchMaxSeamError.name + " (" +
                                                  trimmed(settings.stitch_max_seam_error, 2) + ")");
  settings_ = settings;
}

Outcome DecodeStage::process(const Item& page) const {
  if (page.parts.size() > 1) return decode_parts(page, settings_);
  Outcome outcome;
  Report report(page, outcome);

  OpenedSource source;
  if (!open_source(page, source, report)) return outcome;
  const ImageFormat format = check_format(page, source, report);
  if (format == ImageFormat::unknown) return outcome;
  DecodedImage decoded = read_page(page, format, source, settings_.limits);
  record(std::move(decoded), settings_, outcome, report);
  if (!outcome.rejected())
    record_provenance(provenance_ ? *provenance_->of(page.source) : read_provenance({page.source}), outcome);
  return outcome;
}

std::uint64_t DecodeStage::working_bytes(const Item& item) const {
  if (item.parts.size() > 1) {
    std::uint64_t pixels = 0;
    for (const Item::Part& part : item.parts)
      pixels += std::min<std::uint64_t>(probe_pixels(part.source, 0),
                                        static_cast<std::uint64_t>(settings_.limits.max_pixels));
    pixels = std::min<std::uint64_t>(pixels, static_cast<std::uint64_t>(settings_.limits.max_pixels));
    return pixels * 3 * kWorkingCopies + stitch_working_bytes(pixels);
  }
  const std::uint64_t pixels = std::min<std::uint64_t>(probe_pixels(item.source, item.frame),
                                                       static_cast<std::uint64_t>(settings_.limits.max_pixels));
  // OpenJPEG holds every sample as a 32-bit integer while it decodes: up to four a pixel.
  const std::uint64_t decoder = format_from_extension(item.source) == ImageFormat::jpeg2000 ? pixels * 16 : 0;
  return pixels * 3 * kWorkingCopies + decoder;  // as BGR, the widest a page is held
}

}  // namespace lantai::decode
