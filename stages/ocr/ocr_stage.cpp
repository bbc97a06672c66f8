#include "stages/ocr/ocr_stage.h"

#include <tesseract/baseapi.h>

#include <opencv2/imgproc.hpp>

#include <stdexcept>

#include "pipeline/files.h"
#include "pipeline/utf8.h"

namespace lantai::ocr {

namespace {

const TextParam kLanguages{"languages", "chi_sim+eng", "Tesseract languages, '+'-separated"};
const TextParam kTessdata{"tessdata_dir", "", "folder of .traineddata files; empty: Tesseract's default"};
const IntegerParam kPsm{"page_segmentation_mode", "", 0, 13, 4,
                        "Tesseract page segmentation mode (4: one column of text of varying sizes; 3: automatic)"};

constexpr FindingCode kFailed{"ocr.failed", Severity::warn, "Tesseract could not read the page"};
constexpr FindingCode kNoText{"ocr.no_text", Severity::info, "Tesseract found no text on the page"};
constexpr MeasurementInfo kChars{"ocr_chars", "characters of text found, spaces excluded"};
constexpr MeasurementInfo kConfidence{"ocr_confidence", "Tesseract's mean word confidence, 0..100"};
constexpr OutputInfo kText{"ocr_text", OutputRole::extra, "the page's text, UTF-8 (WORK/ocr/<档号>/<serial>.txt)"};

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
  return {"ocr",
          "Reads the text of each page with Tesseract and writes it beside the derivatives.",
          "1",
          {kLanguages.info(), kTessdata.info(), kPsm.info()},
          {kFailed, kNoText},
          {kChars, kConfidence},
          {kText}};
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
  context_ = context;
  engines_.clear();
  start_engine();  // fail now, before any page, if the language data is missing
}

Outcome OcrStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;
  std::unique_ptr<Engine>& engine = engines_.local();
  if (!engine) engine = start_engine();

  // Tesseract reads from grey (its line recogniser works on a grey copy whatever it is
  // given), so it is handed grey: a quarter of the memory of the RGBA copy it would make of
  // a colour page, which it copies once more. A new image, since the page's pixels are
  // read-only.
  cv::Mat grey;
  const cv::Mat& pixels = page.image.pixels();
  if (pixels.channels() == 1)
    grey = pixels;
  else
    cv::cvtColor(pixels, grey, pixels.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  tesseract::TessBaseAPI& api = *engine->api;
  api.SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  grey.release();
  api.SetSourceResolution(static_cast<int>(page.measurements.number("resolution_dpi").value_or(kDefaultResolutionDpi)));
  std::unique_ptr<char[]> raw(api.GetUTF8Text());
  if (!raw) {
    api.Clear();
    outcome.add(kFailed(page.rel_path + ": Tesseract returned no result"));
    return outcome;
  }
  const std::string text = join_cjk(raw.get());
  const int characters = count_characters(text);
  outcome.measurements.set(kConfidence.name, api.MeanTextConf());
  outcome.measurements.set(kChars.name, characters);
  api.Clear();

  outcome.outputs.push_back(write_output(context_.work_dir, "ocr/" + page.record_ref + "/" + page.serial() + ".txt",
                                         text, std::string(kText.kind)));
  if (characters == 0) outcome.add(kNoText(page.rel_path + ": no text found", "0"));
  return outcome;
}

}  // namespace lantai::ocr
