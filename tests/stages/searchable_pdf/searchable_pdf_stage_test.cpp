// The record's searchable PDF, built from pages the real derivative and OCR stages made,
// read back with libqpdf (structure) and poppler's pdftotext (what a viewer finds).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jp2_codec.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/tiff_codec.h"
#include "stages/derivatives/derivative_stage.h"
#include "stages/ocr/ocr_stage.h"
#include "stages/searchable_pdf/pdf_assembly.h"
#include "stages/searchable_pdf/searchable_pdf_stage.h"
#include "tests/stages/item_stage_support.h"
#include "tests/stages/searchable_pdf/pdf_text.h"

namespace lantai::searchable_pdf {
namespace {

namespace fs = std::filesystem;
using pdf_testing::without_spaces;

constexpr const char* kRef = "J012-WS·2021-Y-BGS-0001";

template <class Stage>
void set_up(Stage& stage, const std::string& id, const fs::path& work, const std::string& yaml = "{}") {
  YAML::Node node = YAML::Load(yaml);
  ProfileSection section("test.yaml", id, node);
  stage.setup(section, StageContext{work, {}, 1});
  section.finish();
}

// A drawn line of text and where it lies on its page, in pixels.
struct DrawnPage {
  cv::Mat pixels;
  double dpi;
  std::string text;
  cv::Rect box;
};

DrawnPage draw(int width, int height, double dpi, const std::string& text, double scale, int thickness, bool colour) {
  DrawnPage page{cv::Mat(height, width, colour ? CV_8UC3 : CV_8UC1, cv::Scalar::all(255)), dpi, text, {}};
  cv::putText(page.pixels, text, {width / 8, height / 2}, cv::FONT_HERSHEY_SIMPLEX, scale,
              colour ? cv::Scalar(120, 30, 20) : cv::Scalar(0), thickness);
  // Where the ink is: the words' true place, whatever OCR makes of them.
  cv::Mat grey = page.pixels;
  if (colour) cv::cvtColor(page.pixels, grey, cv::COLOR_BGR2GRAY);
  page.box = cv::boundingRect(grey < 128);
  return page;
}

class SearchablePdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(work_);
    set_up(derivatives_, "derivatives", work_);
    set_up(ocr_, "ocr", work_);  // reads pages finer than 400 dpi from a reduced copy
    record_.ref = kRef;
    record_.entry = CatalogRecord{};
    record_.entry->ref = kRef;
    record_.has_folder = true;
    record_.work_dir = work_;
  }

  // One page through the real derivative and OCR stages, as the record stage will see it.
  void add_page(const DrawnPage& drawn) {
    const int seq = static_cast<int>(record_.items.size()) + 1;
    char name[64];
    std::snprintf(name, sizeof name, "%s/%04d.tif", kRef, seq);
    Item item = stage_testing::page_item(drawn.pixels, drawn.dpi, name);
    item.seq = seq;
    RecordItem page;
    page.item_id = item.id;
    page.rel_path = item.rel_path;
    page.seq = seq;
    for (const ItemStage* stage : std::initializer_list<const ItemStage*>{&derivatives_, &ocr_}) {
      Outcome outcome = stage_testing::run_stage(*stage, item);
      page.outputs.insert(page.outputs.end(), outcome.outputs.begin(), outcome.outputs.end());
    }
    page.measurements = item.measurements;
    record_.items.push_back(std::move(page));
  }

  Outcome build(const std::string& yaml = "{}") {
    SearchablePdfStage stage;
    set_up(stage, "searchable_pdf", work_, yaml);
    return stage.process(record_);
  }

  // One folder per test: ctest runs them at once.
  fs::path work_ = fs::temp_directory_path() /
                   (std::string("lantai-searchable-pdf-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  derivatives::DerivativeStage derivatives_;
  ocr::OcrStage ocr_;
  RecordWork record_;
};

const StageOutput* output_of(const RecordItem& item, const std::string& kind) {
  for (const StageOutput& output : item.outputs)
    if (output.kind == kind) return &output;
  return nullptr;
}

//! Each page of the PDF holds its derivative JPEG byte for byte (DCTDecode, not re-encoded), on a page of the image's size at its resolution, the grey page as grey; the file is PDF/A-2b-identified with an sRGB output intent.
TEST_F(SearchablePdfTest, PagesAreTheDerivativesUnchangedAtTheirSize) {
  add_page(draw(1800, 700, 300, "ARCHIVE RECORDS 2021", 3.0, 8, true));
  add_page(draw(3600, 1400, 600, "BACKUP CENTRE FORM", 6.0, 16, false));  // OCR reads it at 400 dpi
  const Outcome outcome = build();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_TRUE(outcome.findings.empty());
  const StageOutput& output = outcome.outputs[0];
  EXPECT_EQ(output.kind, "searchable_pdf");
  EXPECT_EQ(output.path, std::string("pdf/") + kRef + ".pdf");
  const std::string bytes = read_file(work_ / utf8_path(output.path));
  EXPECT_EQ(output.sha256, hex_digest(DigestAlgorithm::sha256, bytes));

  QPDF pdf;
  pdf.processMemoryFile("record.pdf", bytes.data(), bytes.size());
  EXPECT_EQ(pdf.getPDFVersion(), "1.7");
  const std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(pdf).getAllPages();
  ASSERT_EQ(pages.size(), 2u);
  const double expected_size[2][2] = {{1800 * 72.0 / 300, 700 * 72.0 / 300}, {3600 * 72.0 / 600, 1400 * 72.0 / 600}};
  for (std::size_t i = 0; i < pages.size(); ++i) {
    QPDFPageObjectHelper page = pages[i];
    const auto box = page.getMediaBox().getArrayAsRectangle();
    EXPECT_NEAR(box.urx - box.llx, expected_size[i][0], 1e-3) << "page " << i + 1;
    EXPECT_NEAR(box.ury - box.lly, expected_size[i][1], 1e-3) << "page " << i + 1;
    QPDFObjectHandle image = page.getObjectHandle().getKey("/Resources").getKey("/XObject").getKey("/Im0");
    ASSERT_TRUE(image.isStream());
    EXPECT_EQ(image.getDict().getKey("/Filter").getName(), "/DCTDecode");
    EXPECT_EQ(image.getDict().getKey("/ColorSpace").getName(), i == 0 ? "/DeviceRGB" : "/DeviceGray");
    const std::string jpeg = read_file(work_ / utf8_path(output_of(record_.items[i], "derivative")->path));
    const auto raw = image.getRawStreamData();
    EXPECT_TRUE(std::string(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize()) == jpeg)
        << "page " << i + 1 << ": the image is not the derivative's bytes";
  }

  QPDFObjectHandle root = pdf.getRoot();
  QPDFObjectHandle metadata = root.getKey("/Metadata");
  ASSERT_TRUE(metadata.isStream());
  EXPECT_FALSE(metadata.getDict().hasKey("/Filter"));  // PDF/A: XMP left readable
  const auto xmp_buffer = metadata.getRawStreamData();
  const std::string xmp(reinterpret_cast<const char*>(xmp_buffer->getBuffer()), xmp_buffer->getSize());
  EXPECT_NE(xmp.find("<pdfaid:part>2</pdfaid:part>"), std::string::npos);
  EXPECT_NE(xmp.find("<pdfaid:conformance>B</pdfaid:conformance>"), std::string::npos);
  EXPECT_NE(xmp.find(kRef), std::string::npos);
  QPDFObjectHandle intent = root.getKey("/OutputIntents").getArrayItem(0);
  EXPECT_EQ(intent.getKey("/S").getName(), "/GTS_PDFA1");
  EXPECT_EQ(intent.getKey("/DestOutputProfile").getDict().getKey("/N").getIntValue(), 3);
  EXPECT_EQ(pdf.getTrailer().getKey("/Info").getKey("/Title").getUTF8Value(), kRef);
  EXPECT_FALSE(pdf.isEncrypted());
}

//! A viewer finds each page's OCR text on that page, and every word pdftotext finds lies over the word drawn on the page (within 3 pt), also on a page OCR read from a reduced copy.
TEST_F(SearchablePdfTest, TextLayerLiesOverTheWords) {
  const DrawnPage pages[] = {draw(2000, 800, 300, "ARCHIVE RECORDS 2021", 3.0, 8, true),
                             draw(3600, 1400, 600, "BACKUP CENTRE FORM", 6.0, 16, false)};
  for (const DrawnPage& page : pages) add_page(page);
  const Outcome outcome = build();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  const fs::path pdf = work_ / utf8_path(outcome.outputs[0].path);
  for (int i = 0; i < 2; ++i) {
    const DrawnPage& drawn = pages[i];
    EXPECT_EQ(without_spaces(pdf_testing::pdftotext(pdf, i + 1)), without_spaces(drawn.text)) << "page " << i + 1;
    const pdf_testing::PdfPageWords words = pdf_testing::pdftotext_words(pdf, i + 1);
    ASSERT_FALSE(words.words.empty()) << "page " << i + 1;
    const double points = 72.0 / drawn.dpi;  // per pixel
    const double left = drawn.box.x * points, right = (drawn.box.x + drawn.box.width) * points;
    const double top = drawn.box.y * points, bottom = (drawn.box.y + drawn.box.height) * points;
    double found_left = 1e9, found_right = -1e9;
    for (const pdf_testing::PdfWord& word : words.words) {
      const double middle = (word.y_min + word.y_max) / 2;
      EXPECT_GT(middle, top - 3) << word.text;
      EXPECT_LT(middle, bottom + 3) << word.text;
      found_left = std::min(found_left, word.x_min);
      found_right = std::max(found_right, word.x_max);
    }
    EXPECT_NEAR(found_left, left, 3.0) << "page " << i + 1;
    EXPECT_NEAR(found_right, right, 3.0) << "page " << i + 1;
  }
}

//! The same pages give the same PDF bytes (the deposit's payload is deterministic).
TEST_F(SearchablePdfTest, SamePagesSameBytes) {
  add_page(draw(1800, 700, 300, "ARCHIVE RECORDS 2021", 3.0, 8, false));
  const std::string first = read_file(work_ / utf8_path(build().outputs.at(0).path));
  const std::string second = read_file(work_ / utf8_path(build().outputs.at(0).path));
  EXPECT_TRUE(first == second);
}

//! A page without a text layer (OCR failed) is in the PDF as an image and reported as pdf.no_text_layer; a record with a quarantined page, or with no catalogue entry, gets no PDF; nor does any with enabled: false.
TEST_F(SearchablePdfTest, BuildsOnlyWhatWillBeDeposited) {
  add_page(draw(1800, 700, 300, "ARCHIVE RECORDS 2021", 3.0, 8, false));
  add_page(draw(1800, 700, 300, "SECOND PAGE", 3.0, 8, false));
  auto& outputs = record_.items[1].outputs;
  outputs.erase(std::remove_if(outputs.begin(), outputs.end(),
                               [](const StageOutput& o) { return o.kind == "ocr_text_layer"; }),
                outputs.end());
  Outcome outcome = build();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "pdf.no_text_layer");
  EXPECT_EQ(outcome.findings[0].item_id, record_.items[1].item_id);
  const fs::path pdf = work_ / utf8_path(outcome.outputs[0].path);
  EXPECT_NE(pdf_testing::pdftotext(pdf, 1).find("ARCHIVE"), std::string::npos);
  EXPECT_EQ(without_spaces(pdf_testing::pdftotext(pdf, 2)), "");

  EXPECT_TRUE(build("{enabled: false}").outputs.empty());
  record_.items[1].rejected = true;
  EXPECT_TRUE(build().outputs.empty());
  record_.items[1].rejected = false;
  record_.entry.reset();
  EXPECT_TRUE(build().outputs.empty());
}

void flip_a_byte(const fs::path& file) {
  std::string bytes = read_file(file);
  bytes[bytes.size() / 2] ^= 0x10;
  write_file_atomically(file, bytes);
}

//! A derivative changed after it was made is not put into a PDF (the deposit refuses it, stopping the batch); a changed text layer fails the record, naming the file.
TEST_F(SearchablePdfTest, RefusesChangedInputs) {
  add_page(draw(1800, 700, 300, "ARCHIVE RECORDS 2021", 3.0, 8, false));
  ASSERT_EQ(build().outputs.size(), 1u);
  flip_a_byte(work_ / utf8_path(output_of(record_.items[0], "ocr_text_layer")->path));
  try {
    build();
    FAIL() << "a changed text layer was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("0001.layer.pdf"), std::string::npos) << error.what();
  }
  flip_a_byte(work_ / utf8_path(output_of(record_.items[0], "derivative")->path));
  EXPECT_TRUE(build().outputs.empty());
}

struct FormatCase {
  const char* name;         // the test's name: ctest runs each case by it
  const char* derivatives;  // the derivatives section
  bool colour;
  const char* filter;  // of the page image in the PDF
  int bits;
};

void PrintTo(const FormatCase& c, std::ostream* out) { *out << c.name; }

class PdfOfDerivativeFormat : public SearchablePdfTest, public ::testing::WithParamInterface<FormatCase> {};

//! TIFF (LZW colour, G4) and JP2 derivatives go into the PDF with exactly the derivative's pixels: JP2 as its bytes (JPXDecode), G4 as its strip (CCITTFaxDecode, as pdfimages decodes it), other TIFF as its samples (FlateDecode); the text layer is still found.
TEST_P(PdfOfDerivativeFormat, PageShowsTheDerivativesPixels) {
  const FormatCase& c = GetParam();
  set_up(derivatives_, "derivatives", work_, c.derivatives);
  add_page(draw(1800, 700, 300, "ARCHIVE RECORDS 2021", 3.0, 8, c.colour));
  const Outcome outcome = build();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  const fs::path pdf_path = work_ / utf8_path(outcome.outputs[0].path);
  const std::string bytes = read_file(pdf_path);
  QPDF pdf;
  pdf.processMemoryFile("record.pdf", bytes.data(), bytes.size());
  QPDFObjectHandle image = QPDFPageDocumentHelper(pdf).getAllPages().at(0).getObjectHandle()
                               .getKey("/Resources").getKey("/XObject").getKey("/Im0");
  ASSERT_TRUE(image.isStream());
  EXPECT_EQ(image.getDict().getKey("/Filter").getName(), c.filter);
  EXPECT_EQ(image.getDict().getKey("/BitsPerComponent").getIntValue(), c.bits);
  EXPECT_EQ(image.getDict().getKey("/ColorSpace").getName(), c.colour ? "/DeviceRGB" : "/DeviceGray");
  const std::string derivative = read_file(work_ / utf8_path(output_of(record_.items[0], "derivative")->path));
  if (std::string(c.filter) == "/JPXDecode") {
    const auto raw = image.getRawStreamData();
    EXPECT_TRUE(std::string(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize()) == derivative);
  } else if (std::string(c.filter) == "/CCITTFaxDecode") {
    // poppler decodes the page image the way a viewer does; it must be the derivative's pixels.
    const fs::path extracted = work_ / "extracted";
    ASSERT_EQ(std::system(("pdfimages -f 1 -l 1 '" + pdf_path.string() + "' '" + extracted.string() + "'").c_str()), 0);
    const std::string pbm = read_file(extracted.string() + "-000.pbm");
    const cv::Mat pixels = derivatives::decode_derivative(derivative);
    const std::string header = "P4\n" + std::to_string(pixels.cols) + " " + std::to_string(pixels.rows) + "\n";
    ASSERT_EQ(pbm.substr(0, header.size()), header);
    const std::size_t row_bytes = (pixels.cols + 7) / 8;
    int differing = 0;
    for (int y = 0; y < pixels.rows; ++y)
      for (int x = 0; x < pixels.cols; ++x) {
        const bool black = static_cast<unsigned char>(pbm[header.size() + y * row_bytes + x / 8]) & (0x80 >> (x % 8));
        differing += black != (pixels.at<unsigned char>(y, x) == 0);
      }
    EXPECT_EQ(differing, 0);
    EXPECT_GT(cv::countNonZero(pixels == 0), 1000);  // there is ink to compare
  } else {
    // The samples a viewer decodes are the derivative's, sample for sample.
    const auto decoded = image.getStreamData(qpdf_dl_generalized);
    const PdfImage expected = pdf_image(derivative);
    EXPECT_EQ(expected.coding, ImageCoding::raw);
    EXPECT_TRUE(std::string(reinterpret_cast<const char*>(decoded->getBuffer()), decoded->getSize()) == expected.data);
  }
  EXPECT_EQ(without_spaces(pdf_testing::pdftotext(pdf_path, 1)), without_spaces("ARCHIVE RECORDS 2021"));
}

INSTANTIATE_TEST_SUITE_P(Formats, PdfOfDerivativeFormat,
                         ::testing::Values(FormatCase{"TiffLzw", "{format: tiff, tiff_compression: lzw}", true, "/FlateDecode", 8},
                                           FormatCase{"TiffG4", "{format: tiff, tiff_compression: g4}", false, "/CCITTFaxDecode", 1},
                                           FormatCase{"Jp2Lossless", "{format: jp2}", true, "/JPXDecode", 8},
                                           FormatCase{"Jp2Lossy", "{format: jp2, jp2: lossy}", false, "/JPXDecode", 8}),
                         [](const ::testing::TestParamInfo<FormatCase>& info) { return std::string(info.param.name); });

//! A derivative's bytes become a PDF image of its size and colours; what is none of the formats is refused.
TEST(PdfImage, ReadsEachDerivativeFormat) {
  const cv::Mat colour(30, 50, CV_8UC3, cv::Scalar(10, 200, 30));
  const PdfImage jpx = pdf_image(encode_jp2(colour, {}, 300.0));
  EXPECT_EQ(jpx.coding, ImageCoding::jpx);
  EXPECT_EQ(jpx.width, 50);
  EXPECT_EQ(jpx.height, 30);
  EXPECT_EQ(jpx.components, 3);
  const PdfImage raw = pdf_image(encode_tiff(colour, TiffCompression::deflate, 300.0));
  EXPECT_EQ(raw.coding, ImageCoding::raw);
  ASSERT_EQ(raw.data.size(), 30u * 50 * 3);
  EXPECT_EQ(raw.data.substr(0, 3), std::string("\x1E\xC8\x0A", 3));  // RGB order
  cv::Mat text(40, 60, CV_8UC1, cv::Scalar(255));
  cv::rectangle(text, {10, 10, 20, 5}, cv::Scalar(0), cv::FILLED);
  const PdfImage g4 = pdf_image(encode_tiff(text, TiffCompression::g4, 300.0));
  EXPECT_EQ(g4.coding, ImageCoding::g4);
  EXPECT_EQ(g4.bits, 1);
  EXPECT_EQ(g4.components, 1);
  EXPECT_THROW(pdf_image("\x89PNG\r\n"), std::invalid_argument);
}

//! JPEG frame headers are read for size and colour; what is not a JPEG is refused.
TEST(JpegFrame, ReadsSizeAndComponents) {
  cv::Mat colour(30, 50, CV_8UC3, cv::Scalar(10, 200, 30));
  const JpegFrame frame = read_jpeg_frame(encode_jpeg(colour, 90, 300.0));
  EXPECT_EQ(frame.width, 50);
  EXPECT_EQ(frame.height, 30);
  EXPECT_EQ(frame.components, 3);
  EXPECT_EQ(read_jpeg_frame(encode_jpeg(cv::Mat(7, 9, CV_8UC1, cv::Scalar(0)), 90, std::nullopt)).components, 1);
  EXPECT_THROW(read_jpeg_frame("\x89PNG\r\n"), std::invalid_argument);
  EXPECT_THROW(read_jpeg_frame(std::string("\xFF\xD8\xFF\xD9", 4)), std::invalid_argument);
}

}  // namespace
}  // namespace lantai::searchable_pdf
