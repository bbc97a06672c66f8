// ocr: reads each page with Tesseract through its C++ API, in-process (目录建库 needs the
// text to build and check the catalogue). One engine per worker thread, created on the
// thread's first page; Tesseract's own OpenMP threads are off (OMP_THREAD_LIMIT=1, set
// by the lantai command) because pages in parallel beat threads inside one page.
// Writes WORK/ocr/<档号>/<serial>.txt (UTF-8), .hocr and .alto.xml (word boxes and
// confidences, in the coordinates of the image read: see ocr_dpi), and .layer.pdf: the
// words as an invisible text layer (Tesseract's PDF renderer, text only), for the
// record's searchable PDF. Its page is the image read at ocr_dpi, so its size in points
// is the page's own up to the rounding of a reduced copy; the PDF stage scales it onto
// the page.
#pragma once

#include <memory>
#include <string>

#include <tbb/enumerable_thread_specific.h>

#include "pipeline/units.h"

namespace tesseract { class TessBaseAPI; }

namespace lantai::ocr {

struct OcrSettings {
  std::string languages = "chi_sim+eng";
  std::string tessdata_dir;  // empty: Tesseract's default (Debian: /usr/share/tesseract-ocr/5/tessdata)
  int page_segmentation_mode = 3;  // PSM_AUTO: columns and tables in reading order
  double min_confidence = 65;        // below: ocr.low_confidence
  double max_resolution_dpi = 400;   // finer pages are read from a reduced copy
  std::string model;                 // the language data's identity, for the processing history
  std::string font_dir;              // where pdf.ttf lies, for the text layer
};

// Tesseract puts spaces between CJK characters; Chinese text has none. Removes white
// space between two CJK characters (and CJK punctuation), keeps it between Latin words.
std::string join_cjk(const std::string& text);

// A Tesseract engine owned by one thread.
struct Engine {
  Engine();
  ~Engine();
  std::unique_ptr<tesseract::TessBaseAPI> api;
};

class OcrStage : public ItemStage {
 public:
  OcrStage();
  ~OcrStage() override;
  StageInfo describe() const override;
  // Starts one engine to prove the language data is there; throws std::runtime_error
  // telling which Debian package to install when it is not.
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;

 private:
  std::unique_ptr<Engine> start_engine() const;

  OcrSettings settings_;
  StageContext context_;
  mutable tbb::enumerable_thread_specific<std::unique_ptr<Engine>> engines_;
};

}  // namespace lantai::ocr
