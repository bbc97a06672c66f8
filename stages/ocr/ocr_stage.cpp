#include "stages/ocr/ocr_stage.h"

#include <tesseract/baseapi.h>
#include <tesseract/renderer.h>
#include <tesseract/resultiterator.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/library_versions.h"
#include "pipeline/utf8.h"

namespace lantai::ocr {

namespace {

const TextParam kLanguages{"languages", "chi_sim+eng", "Tesseract languages, '+'-separated"};
const TextParam kTessdata{"tessdata_dir", "", "folder of .traineddata files; empty: Tesseract's default"};
const IntegerParam kPsm{"page_segmentation_mode", "", 0, 13, 3,
                        "Tesseract page segmentation mode (3: automatic layout; 4: one column of text)"};
const NumberParam kMinConfidence{"min_confidence", "", 0, 100, 65,
                                 "pages whose mean word confidence is below this go to review (ocr.low_confidence)"};
const NumberParam kMaxResolution{"max_resolution_dpi", "dpi", 150, 1200, 400,
                                 "pages scanned finer than this are read from a copy reduced to it"};

constexpr FindingCode kFailed{"ocr.failed", Severity::warn, "Tesseract could not read the page"};
constexpr FindingCode kNoText{"ocr.no_text", Severity::info, "Tesseract found no text on the page"};
constexpr FindingCode kLowConfidence{"ocr.low_confidence", Severity::warn,
                                     "Tesseract's mean word confidence is below the profile's minimum: the text may be wrong"};
constexpr MeasurementInfo kChars{"ocr_chars", "characters of text found, spaces excluded"};
constexpr MeasurementInfo kConfidence{"ocr_confidence", "Tesseract's mean word confidence, 0..100"};
constexpr MeasurementInfo kWorstLine{"ocr_worst_line_confidence",
                                     "the lowest confidence of a text line of 4 characters or more, 0..100"};
constexpr MeasurementInfo kReadAtDpi{"ocr_dpi", "the resolution the page was read at", true};
constexpr MeasurementInfo kModel{"ocr_model", "the language data that read the page: name@sha256 prefix, per language"};
constexpr OutputInfo kText{"ocr_text", OutputRole::extra, "the page's text, UTF-8 (WORK/ocr/<档号>/<serial>.txt)"};
constexpr OutputInfo kHocr{"ocr_hocr", OutputRole::extra,
                           "words with boxes and confidences, hOCR (WORK/ocr/<档号>/<serial>.hocr)"};
constexpr OutputInfo kAlto{"ocr_alto", OutputRole::extra,
                           "words with boxes and confidences, ALTO XML (WORK/ocr/<档号>/<serial>.alto.xml)"};
constexpr OutputInfo kTextLayer{"ocr_text_layer", OutputRole::work,
                                "the page's words as an invisible text layer, a text-only PDF page from Tesseract's "
                                "renderer, in the coordinates of the image read (WORK/ocr/<档号>/<serial>.layer.pdf)"};

// Tesseract's renderer embeds this font (GlyphLessFont) to place each word invisibly.
constexpr const char* kLayerFont = "pdf.ttf";

// Lines shorter than this say too little for their confidence to mean much.
constexpr int kMinLineCharacters = 4;

// Where Debian's tesseract-ocr keeps its language data and pdf.ttf.
constexpr const char* kDebianTessdata = "/usr/share/tesseract-ocr/5/tessdata";

// Assumed for Tesseract's scaling when the page carries no resolution.
constexpr int kDefaultResolutionDpi = 300;

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
         (c >= 0x3000 && c <= 0x303F) || (c >= 0x20000 && c <= 0x2FA1F);
}

int count_characters(const std::string& text) {
  int count = 0;
  for (char32_t c : to_code_points(text))
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != 0x3000) ++count;
  return count;
}

// What Tesseract reads: grey (its line recogniser reads a grey copy whatever it is given,
// and a colour page would cost it an RGBA copy, then a second), reduced when the page is
// finer than the reading resolution. Always a new image: the page's pixels are read-only.
cv::Mat reading_copy(const cv::Mat& pixels, double scale) {
  cv::Mat grey;
  if (pixels.channels() == 1)
    grey = pixels;
  else
    cv::cvtColor(pixels, grey, pixels.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  if (scale >= 1.0) return grey;
  cv::Mat reduced;
  cv::resize(grey, reduced, cv::Size(), scale, scale, cv::INTER_AREA);
  return reduced;
}

// The lowest confidence among the page's text lines long enough to judge: one garbled
// line (a seal over text, a line read in the wrong language) hides in the page's mean.
std::optional<double> worst_line_confidence(tesseract::TessBaseAPI& api) {
  std::unique_ptr<tesseract::ResultIterator> line(api.GetIterator());
  if (!line) return std::nullopt;
  std::optional<double> worst;
  do {
    const std::unique_ptr<char[]> text(line->GetUTF8Text(tesseract::RIL_TEXTLINE));
    if (!text || count_characters(text.get()) < kMinLineCharacters) continue;
    const double confidence = line->Confidence(tesseract::RIL_TEXTLINE);
    if (!worst || confidence < *worst) worst = confidence;
  } while (line->Next(tesseract::RIL_TEXTLINE));
  return worst;
}

// "chi_sim@3f2a…+eng@91bc…": which language data read a page, by content, so the
// processing history tells a Debian model from a larger one at the same path.
std::string model_identity(const std::string& languages, const std::string& datapath) {
  std::string identity;
  std::size_t start = 0;
  while (start <= languages.size()) {
    const std::size_t end = std::min(languages.find('+', start), languages.size());
    const std::string language = languages.substr(start, end - start);
    const std::filesystem::path file = std::filesystem::path(datapath) / (language + ".traineddata");
    const std::string digest = hex_digests_of_file(file, {DigestAlgorithm::sha256}).front();
    identity += (identity.empty() ? "" : "+") + language + "@" + digest.substr(0, 12);
    start = end + 1;
  }
  return identity;
}

// The recognised page as a text-only PDF page, made by Tesseract's own renderer: each
// word placed invisibly (render mode 3) over its box, in GlyphLessFont. The renderer
// writes only to a file, so it writes a temp file beside the output, read back here.
std::string text_layer_pdf(tesseract::TessBaseAPI& api, const std::string& font_dir, const std::filesystem::path& temp_base) {
  std::string bytes;
  std::filesystem::create_directories(temp_base.parent_path());
  {
    tesseract::TessPDFRenderer renderer(temp_base.c_str(), font_dir.c_str(), /*textonly=*/true);
    if (!renderer.BeginDocument("") || !renderer.AddImage(&api) || !renderer.EndDocument())
      throw std::runtime_error("ocr: Tesseract's PDF renderer failed for " + temp_base.string());
  }  // closes the file
  std::filesystem::path file = temp_base;
  file += ".pdf";
  try {
    bytes = read_file(file);
  } catch (...) {
    std::filesystem::remove(file);
    throw;
  }
  std::filesystem::remove(file);
  return bytes;
}

}  // namespace

std::string join_cjk(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  char32_t previous = 0;  // last non-space character written on this line
  while (i < text.size()) {
    if (text[i] == ' ') {
      // Look past the run of spaces: drop it when CJK stands on both sides.
      size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      size_t after = j;
      char32_t next = j < text.size() ? next_code_point(text, after) : 0;
      if (!(is_cjk(previous) && is_cjk(next))) out.append(text, i, j - i);
      i = j;
      continue;
    }
    const size_t start = i;
    char32_t c = next_code_point(text, i);
    out.append(text, start, i - start);
    previous = c == '\n' ? 0 : c;
  }
  return out;
}

Engine::Engine() : api(std::make_unique<tesseract::TessBaseAPI>()) {}
Engine::~Engine() {
  if (api) api->End();
}

OcrStage::OcrStage() = default;
OcrStage::~OcrStage() = default;

StageInfo OcrStage::describe() const {
  StageInfo info{"ocr",
                 "Reads the text of each page with Tesseract and writes it beside the derivatives.",
                 "2",  // 2: reads a grey copy; writes hOCR, ALTO and a text layer
                 {kLanguages.info(), kTessdata.info(), kPsm.info(), kMinConfidence.info(), kMaxResolution.info()},
                 {kFailed, kNoText, kLowConfidence},
                 {kChars, kConfidence, kWorstLine, kReadAtDpi, kModel},
                 {kText, kHocr, kAlto, kTextLayer}};
  info.libraries = {"Tesseract " + std::string(tesseract::TessBaseAPI::Version())};
  return info;
}

std::unique_ptr<Engine> OcrStage::start_engine() const {
  auto engine = std::make_unique<Engine>();
  const char* datapath = settings_.tessdata_dir.empty() ? nullptr : settings_.tessdata_dir.c_str();
  if (engine->api->Init(datapath, settings_.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    throw std::runtime_error("ocr: Tesseract cannot load languages '" + settings_.languages + "' from " +
                             (datapath ? settings_.tessdata_dir : std::string("its default tessdata folder")) +
                             "; install tesseract-ocr-chi-sim and tesseract-ocr-eng (scripts/install-deps.sh)");
  engine->api->SetPageSegMode(static_cast<tesseract::PageSegMode>(settings_.page_segmentation_mode));
  // Chinese has no spaces between words; keep Tesseract from inventing them between runs.
  engine->api->SetVariable("preserve_interword_spaces", "1");
  // Tesseract's progress chatter ("Detected N diacritics") would break the progress line.
  engine->api->SetVariable("debug_file", "/dev/null");
  return engine;
}

void OcrStage::setup(ProfileSection& section, const StageContext& context) {
  settings_.languages = section.get(kLanguages);
  settings_.tessdata_dir = section.get(kTessdata);
  settings_.page_segmentation_mode = static_cast<int>(section.get(kPsm));
  settings_.min_confidence = section.get(kMinConfidence);
  settings_.max_resolution_dpi = section.get(kMaxResolution);
  context_ = context;
  engines_.clear();
  // Fail now, before any page, if the language data is missing; and name what will read.
  const std::string datapath = start_engine()->api->GetDatapath();
  settings_.model = model_identity(settings_.languages, datapath);
  // The text layer's font lies beside Debian's language data; a folder of other models may not have it.
  settings_.font_dir.clear();
  for (const std::string& dir : {datapath, std::string(kDebianTessdata)})
    if (std::filesystem::exists(std::filesystem::path(dir) / kLayerFont)) {
      settings_.font_dir = dir;
      break;
    }
  if (settings_.font_dir.empty())
    throw std::runtime_error("ocr: Tesseract's text layer font " + std::string(kLayerFont) + " is neither in " + datapath +
                             " nor in " + kDebianTessdata + "; install tesseract-ocr (scripts/install-deps.sh)");
}

Outcome OcrStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;
  std::unique_ptr<Engine>& engine = engines_.local();
  if (!engine) engine = start_engine();

  const double page_dpi = page.measurements.number("resolution_dpi").value_or(kDefaultResolutionDpi);
  const double read_dpi = std::min(page_dpi, settings_.max_resolution_dpi);
  tesseract::TessBaseAPI& api = *engine->api;
  {
    cv::Mat grey = reading_copy(page.image.pixels(), read_dpi / page_dpi);
    api.SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  }  // Tesseract keeps its own copy
  api.SetSourceResolution(static_cast<int>(std::lround(read_dpi)));
  if (api.Recognize(nullptr) != 0) {
    api.Clear();
    outcome.add(kFailed(page.rel_path + ": Tesseract returned no result"));
    return outcome;
  }
  const std::unique_ptr<char[]> raw(api.GetUTF8Text());
  const std::unique_ptr<char[]> hocr(api.GetHOCRText(0));
  const std::unique_ptr<char[]> alto(api.GetAltoText(0));
  const std::string text = join_cjk(raw ? raw.get() : "");
  const int characters = count_characters(text);
  const int confidence = api.MeanTextConf();
  outcome.measurements.set(kChars.name, characters);
  outcome.measurements.set(kConfidence.name, confidence);
  if (auto worst = worst_line_confidence(api)) outcome.measurements.set(kWorstLine.name, *worst);
  outcome.measurements.set(kReadAtDpi.name, read_dpi);
  outcome.measurements.set(kModel.name, settings_.model);
  const std::string stem = "ocr/" + page.record_ref + "/" + page.serial();
  std::string layer;
  try {
    layer = text_layer_pdf(api, settings_.font_dir, context_.work_dir / utf8_path(stem + ".layer.lantai-tmp.render"));
  } catch (...) {
    api.Clear();
    throw;
  }
  api.Clear();

  outcome.outputs.push_back(write_output(context_.work_dir, stem + ".txt", text, std::string(kText.kind)));
  outcome.outputs.push_back(write_output(context_.work_dir, stem + ".hocr", hocr ? hocr.get() : "", std::string(kHocr.kind)));
  outcome.outputs.push_back(write_output(context_.work_dir, stem + ".alto.xml", alto ? alto.get() : "", std::string(kAlto.kind)));
  outcome.outputs.push_back(write_output(context_.work_dir, stem + ".layer.pdf", layer, std::string(kTextLayer.kind)));
  if (characters == 0) {
    outcome.add(kNoText(page.rel_path + ": no text found", "0"));
  } else if (confidence < settings_.min_confidence) {
    outcome.add(kLowConfidence(page.rel_path + ": mean word confidence " + std::to_string(confidence) + ", below " +
                                   Measurements::format(settings_.min_confidence) + "; check the text, the page's turn and skew",
                               std::to_string(confidence), Measurements::format(settings_.min_confidence)));
  }
  return outcome;
}

}  // namespace lantai::ocr
