#include "tests/fidelity/colour_lot.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <stdexcept>
#include <string_view>

#include <opencv2/imgproc.hpp>

#include "samples/image_encoder.h"
#include "samples/text_renderer.h"
#include "tests/fidelity/format_writers.h"
#include "tests/stages/decode/cmyk_files.h"

namespace lantai::fidelity {

namespace {

using samples::FontWeight;
using samples::TextRenderer;

// Inks as a scan sees them (BGR), multiplied into the paper.
const cv::Scalar kBlackInk(30, 30, 30);
const cv::Scalar kRedInk(40, 30, 212);    // 红头 and its rule
const cv::Scalar kSealInk(60, 45, 220);   // seal paste
const cv::Scalar kBlueInk(170, 70, 25);   // ballpoint signature
const cv::Scalar kPaperBgr(226, 236, 244);  // off-white, slightly warm
constexpr int kPaperGrey = 236;
constexpr double kPaperNoise = 2.0;  // standard deviation, 8-bit levels

constexpr double kA5WidthMm = 148, kA5HeightMm = 210;
constexpr double kA4WidthMm = 210, kA4HeightMm = 297;
constexpr double kMmPerInch = 25.4;

constexpr std::u32string_view kBody =
    U"为贯彻落实纸质档案数字化规范，进一步提高档案管理水平，现将有关事项通知如下。"
    U"一、各单位应当按照档案分类方案整理本单位形成的文书档案，逐件编制档号，做到排列有序、目录清楚。"
    U"二、扫描前应当检查纸张状况，对破损、褶皱的页面先行修复，印章、签名和批注应当完整保留原貌。"
    U"三、彩色页面按彩色模式扫描，分辨率不低于二百点每英寸，图像应当纠偏、去污，不得改变页面内容。"
    U"四、数字化成果应当逐页核对，发现漏扫、重扫或者图像质量不合格的，应当及时补扫并记录。"
    U"五、请各单位于本年度十二月底前将数字化成果和目录数据报送市档案馆登记备份。";

// Where a page's drawing varies, so that no two pages of a record look alike.
struct PageDesign {
  bool a4 = false;
  int resolution_dpi = 200;
  double skew_deg = 0;  // positive: content turned counter-clockwise, as a skewed scan
  int variant = 0;      // picks the body text, line count, seal and signature positions
};

struct DrawnPage {
  PageDesign design;
  cv::Mat image;
  cv::Rect seal_px;
  cv::Rect signature_px;
};

class PagePainter {
 public:
  PagePainter(TextRenderer& text, const PageDesign& design, int channels)
      : text_(text), design_(design),
        scale_(design.a4 ? kA4WidthMm / kA5WidthMm : 1.0),
        px_per_mm_(design.resolution_dpi / kMmPerInch) {
    const double width_mm = design.a4 ? kA4WidthMm : kA5WidthMm, height_mm = design.a4 ? kA4HeightMm : kA5HeightMm;
    const cv::Size size(static_cast<int>(std::lround(width_mm * px_per_mm_)),
                        static_cast<int>(std::lround(height_mm * px_per_mm_)));
    page_.design = design;
    page_.image = channels == 3 ? cv::Mat(size, CV_8UC3, kPaperBgr) : cv::Mat(size, CV_8UC1, cv::Scalar(kPaperGrey));
  }

  DrawnPage paint() {
    const int v = design_.variant;
    add_paper_texture();
    // 红头: the issuing office in large red type, the 文号, and the red rule.
    centred(U"兰台市档案局文件", 32, 11, FontWeight::bold, kRedInk, 1.5);
    centred(U"兰档发〔2024〕" + digit(v) + U"号", 38.5, 3.5, FontWeight::regular, kBlackInk);
    blend(cv::Mat(px(0.7), px(118), CV_8UC1, cv::Scalar(255)), px(15), px(41), kRedInk);
    centred(v % 2 ? U"关于做好档案数字化工作的通知" : U"关于报送年度档案登记备份数据的通知", 52, 5.5, FontWeight::bold,
            kBlackInk);
    // Body: lines cut from the clauses, starting at a different clause per page.
    const int lines = 11 + v % 4;
    const double size_mm = 3.6;
    const size_t per_line = 30;
    size_t at = (static_cast<size_t>(v) * 37) % kBody.size();
    for (int i = 0; i < lines; ++i) {
      const size_t first = i == 0 ? per_line - 2 : per_line;
      std::u32string line(kBody.substr(at, std::min(first, kBody.size() - at)));
      if (line.size() < first) line += kBody.substr(0, first - line.size());
      at = (at + first) % kBody.size();
      text(line, i == 0 ? 15 + 2 * size_mm : 15, 62 + 6.5 * i, size_mm, FontWeight::regular, kBlackInk);
    }
    // 落款 and date, right-aligned, with the seal over them and the last body lines.
    const double signoff_mm = 62 + 6.5 * lines + 12;
    right_aligned(U"兰台市档案局", 128, signoff_mm, size_mm, kBlackInk);
    right_aligned(U"2024年3月" + digit(v) + U"日", 128, signoff_mm + 7, size_mm, kBlackInk);
    seal(cv::Point2d(104 + 3 * (v % 3), signoff_mm - 2 + (v % 2)));
    signature(cv::Point2d(15 + v % 3, signoff_mm + 16));
    centred(U"— " + digit(v) + U" —", 203, 3.2, FontWeight::regular, kBlackInk);
    if (design_.skew_deg != 0) turn();
    return std::move(page_);
  }

 private:
  static std::u32string digit(int v) { return std::u32string(1, static_cast<char32_t>(U'1' + v % 9)); }
  int px(double mm) const { return static_cast<int>(std::lround(mm * scale_ * px_per_mm_)); }
  int size_px(double mm) const { return std::max(1, px(mm)); }

  void add_paper_texture() {
    cv::Mat noise(page_.image.size(), CV_16SC(page_.image.channels()));
    cv::RNG random(0x1a2b3c4du + static_cast<unsigned>(design_.variant));
    random.fill(noise, cv::RNG::NORMAL, 0, kPaperNoise);
    cv::Mat noisy;
    page_.image.convertTo(noisy, noise.type());
    noisy += noise;
    noisy.convertTo(page_.image, page_.image.type());
  }

  void blend(const cv::Mat& coverage, int left_px, int top_px, const cv::Scalar& ink) {
    samples::blend_ink(page_.image, coverage, left_px, top_px, ink);
  }

  void text(std::u32string_view line, double left_mm, double baseline_mm, double size_mm, FontWeight weight,
            const cv::Scalar& ink, double spacing_mm = 0) {
    text_.draw(page_.image, line, px(left_mm), px(baseline_mm), size_px(size_mm), weight, ink, px(spacing_mm));
  }

  void centred(std::u32string_view line, double baseline_mm, double size_mm, FontWeight weight, const cv::Scalar& ink,
               double spacing_mm = 0) {
    const int width = text_.width_px(line, size_px(size_mm), weight, px(spacing_mm));
    text_.draw(page_.image, line, (page_.image.cols - width) / 2, px(baseline_mm), size_px(size_mm), weight, ink,
               px(spacing_mm));
  }

  void right_aligned(std::u32string_view line, double right_mm, double baseline_mm, double size_mm,
                     const cv::Scalar& ink) {
    const int width = text_.width_px(line, size_px(size_mm), FontWeight::regular);
    text_.draw(page_.image, line, px(right_mm) - width, px(baseline_mm), size_px(size_mm), FontWeight::regular, ink);
  }

  // A 38-mm round seal: rim, five-pointed star, the office's name along the upper arc.
  void seal(cv::Point2d centre_mm) {
    const double radius = px(19), rim = px(1.1);
    const int box = static_cast<int>(std::ceil(2 * radius + 8));
    cv::Mat mask(box, box, CV_8UC1, cv::Scalar(0));
    const cv::Point2d local(box / 2.0, box / 2.0);
    constexpr int kShift = 4;  // sub-pixel drawing
    auto fixed = [](cv::Point2d p) {
      return cv::Point(static_cast<int>(std::lround(p.x * 16)), static_cast<int>(std::lround(p.y * 16)));
    };
    cv::circle(mask, fixed(local), static_cast<int>(std::lround((radius - rim / 2) * 16)), cv::Scalar(255),
               static_cast<int>(std::lround(rim)), cv::LINE_AA, kShift);
    std::vector<cv::Point> star;
    const double star_radius = px(5.5);
    for (int k = 0; k < 10; ++k) {
      const double r = k % 2 == 0 ? star_radius : star_radius * 0.382;
      const double a = std::numbers::pi / 2 + k * std::numbers::pi / 5;
      star.push_back(fixed(local + cv::Point2d(r * std::cos(a), -r * std::sin(a))));
    }
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{star}, cv::Scalar(255), cv::LINE_AA, kShift);
    const cv::Point2d centre(px(centre_mm.x), px(centre_mm.y));
    const int left = static_cast<int>(std::lround(centre.x)) - box / 2;
    const int top = static_cast<int>(std::lround(centre.y)) - box / 2;
    blend(mask, left, top, kSealInk);

    constexpr std::u32string_view kName = U"兰台市档案局";
    const int n = static_cast<int>(kName.size());
    const double span_deg = 200;
    const double text_radius = radius - rim - px(3.2);
    for (int i = 0; i < n; ++i) {
      const double theta = (90.0 + span_deg / 2 - span_deg * (i + 0.5) / n) * std::numbers::pi / 180.0;
      const cv::Point2d at = centre + cv::Point2d(text_radius * std::cos(theta), -text_radius * std::sin(theta));
      text_.draw_rotated(page_.image, kName[static_cast<size_t>(i)], at, theta - std::numbers::pi / 2, size_px(4.2),
                         FontWeight::bold, kSealInk);
    }
    page_.seal_px = cv::Rect(left, top, box, box);
  }

  // A ballpoint scrawl: a few loops drifting right, as a hand-written name.
  void signature(cv::Point2d origin_mm) {
    text(U"经办人：", origin_mm.x, origin_mm.y, 3.6, FontWeight::regular, kBlackInk);
    const int width = px(30), height = px(12);
    cv::Mat mask(height, width, CV_8UC1, cv::Scalar(0));
    std::vector<cv::Point> stroke;
    for (int i = 0; i <= 400; ++i) {
      const double t = i / 400.0;
      const double x = 0.05 + 0.9 * t + 0.04 * std::sin(t * 6 * 2 * std::numbers::pi);
      const double y = 0.5 + 0.35 * std::cos(t * 6 * 2 * std::numbers::pi + design_.variant) * (1 - 0.5 * t);
      stroke.emplace_back(static_cast<int>(x * width * 16), static_cast<int>(y * height * 16));
    }
    cv::polylines(mask, stroke, false, cv::Scalar(255), std::max(2, px(0.5)), cv::LINE_AA, 4);
    const int left = px(origin_mm.x + 16), top = px(origin_mm.y) - height * 2 / 3;
    blend(mask, left, top, kBlueInk);
    page_.signature_px = cv::Rect(left, top, width, height);
  }

  // Turns the sheet on the scanner bed: content rotated counter-clockwise by skew_deg, the
  // uncovered corners filled with paper.
  void turn() {
    const cv::Point2f centre(page_.image.cols / 2.0f, page_.image.rows / 2.0f);
    const cv::Mat rotation = cv::getRotationMatrix2D(centre, design_.skew_deg, 1.0);
    const cv::Scalar paper = page_.image.channels() == 3 ? kPaperBgr : cv::Scalar(kPaperGrey);
    cv::Mat turned;
    cv::warpAffine(page_.image, turned, rotation, page_.image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, paper);
    page_.image = turned;
    for (cv::Rect* box : {&page_.seal_px, &page_.signature_px}) {
      std::vector<cv::Point2f> corners{box->tl(), {float(box->x + box->width), float(box->y)}, box->br(),
                                       {float(box->x), float(box->y + box->height)}};
      cv::transform(corners, corners, rotation);
      *box = cv::boundingRect(corners);
    }
  }

  TextRenderer& text_;
  PageDesign design_;
  double scale_;
  double px_per_mm_;
  DrawnPage page_;
};

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("fidelity: cannot write " + path.string());
}

// The same page as a bitonal scan: black where the grey page is darker than mid-grey.
cv::Mat to_bitonal(const cv::Mat& grey) {
  cv::Mat bitonal;
  cv::threshold(grey, bitonal, 160, 255, cv::THRESH_BINARY);
  return bitonal;
}

constexpr int kJpegQuality = 92;

// The page as BGRA: opaque paper inside a transparent band whose hidden colour is pure
// red. Over white, as PNG and TIFF mean alpha, the band is white, and page becomes that; a
// reader that ignored alpha would show a red frame.
cv::Mat with_transparent_band(DrawnPage& page) {
  const int band = page.image.cols / 40;
  const cv::Rect inside(band, band, page.image.cols - 2 * band, page.image.rows - 2 * band);
  cv::Mat bgra(page.image.size(), CV_8UC4, cv::Scalar(0, 0, 255, 0));
  cv::Mat opaque;
  cv::cvtColor(page.image, opaque, cv::COLOR_BGR2BGRA);
  opaque(inside).copyTo(bgra(inside));
  cv::Mat over_white(page.image.size(), CV_8UC3, cv::Scalar::all(255));
  page.image(inside).copyTo(over_white(inside));
  page.image = over_white;
  return bgra;
}

class LotWriter {
 public:
  explicit LotWriter(const fs::path& dir) : lot_{dir / "scans", dir / "catalogue.csv", {}} {
    fs::create_directories(lot_.scans_dir);
  }

  void start_record(const std::string& record, const std::string& title) {
    fs::create_directories(lot_.scans_dir / record);
    record_ = record;
    serial_ = 0;
    catalogue_rows_.push_back({record, title});
  }

  // Draws a page; the caller writes it.
  DrawnPage draw(const PageDesign& design, PageInk ink) {
    DrawnPage page = PagePainter(text_, design, ink == PageInk::colour ? 3 : 1).paint();
    if (ink == PageInk::bitonal) page.image = to_bitonal(page.image);
    return page;
  }

  fs::path path_of(const std::string& name) const { return lot_.scans_dir / record_ / name; }

  void add(const std::string& name, int frame, const std::string& layout, PageInk ink, const DrawnPage& page) {
    lot_.pages.push_back({record_, fs::path(record_) / name, frame, ++serial_, layout, ink,
                          page.design.resolution_dpi, page.design.skew_deg, page.image, page.seal_px,
                          page.signature_px});
  }

  ColourLot finish() {
    std::string csv = "档号,题名,页数\n";
    for (const auto& [record, title] : catalogue_rows_) {
      const auto pages = std::count_if(lot_.pages.begin(), lot_.pages.end(),
                                       [&](const LotPage& page) { return page.record == record; });
      csv += record + "," + title + "," + std::to_string(pages) + "\n";
    }
    write_bytes(lot_.catalogue_file, csv);
    return std::move(lot_);
  }

 private:
  TextRenderer text_;
  ColourLot lot_;
  std::string record_;
  int serial_ = 0;
  std::vector<std::pair<std::string, std::string>> catalogue_rows_;
};

}  // namespace

ColourLot make_colour_lot(const fs::path& dir) {
  LotWriter lot(dir);
  int variant = 0;
  auto design = [&](int resolution_dpi, double skew_deg = 0, bool a4 = false) {
    return PageDesign{a4, resolution_dpi, skew_deg, variant++};
  };

  // JPEG, and the lot's grey page and 8-bit PNG.
  lot.start_record("J012-WS·2024-Y-BGS-0001", "关于开展档案数字化工作的通知");
  {
    const DrawnPage page = lot.draw(design(200), PageInk::colour);
    write_bytes(lot.path_of("01_jpeg_baseline.jpg"), samples::encode_jpeg(page.image, 200, kJpegQuality));
    lot.add("01_jpeg_baseline.jpg", 0, "JPEG, baseline YCbCr", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, 1.5), PageInk::colour);
    write_jpeg_progressive(lot.path_of("02_jpeg_progressive.jpg"), page.image, 200, kJpegQuality);
    lot.add("02_jpeg_progressive.jpg", 0, "JPEG, progressive YCbCr", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, 1.5), PageInk::grey);
    write_bytes(lot.path_of("03_jpeg_grey.jpg"), samples::encode_jpeg(page.image, 200, kJpegQuality));
    lot.add("03_jpeg_grey.jpg", 0, "JPEG, greyscale", PageInk::grey, page);
  }
  {
    const DrawnPage page = lot.draw(design(300), PageInk::colour);
    write_bytes(lot.path_of("04_png_rgb8.png"), samples::encode_png(page.image, 300));
    lot.add("04_png_rgb8.png", 0, "PNG, 8-bit RGB", PageInk::colour, page);
  }

  // The other PNG layouts, and plain uncompressed TIFF on an A4 sheet.
  lot.start_record("J012-WS·2024-Y-BGS-0002", "关于报送年度档案登记备份数据的通知");
  {
    const DrawnPage page = lot.draw(design(200, -1.5), PageInk::colour);
    write_png_rgb16(lot.path_of("01_png_rgb16.png"), page.image, 200);
    lot.add("01_png_rgb16.png", 0, "PNG, 16-bit RGB", PageInk::colour, page);
  }
  {
    DrawnPage page = lot.draw(design(200), PageInk::colour);
    write_png_rgba(lot.path_of("02_png_rgba.png"), with_transparent_band(page), 200);
    lot.add("02_png_rgba.png", 0, "PNG, 8-bit RGBA (alpha)", PageInk::colour, page);
  }
  {
    DrawnPage page = lot.draw(design(200), PageInk::colour);
    cv::Mat quantised;
    const Palette palette = quantise(page.image, quantised);
    write_png_palette(lot.path_of("03_png_palette.png"), palette, 200);
    page.image = quantised;
    lot.add("03_png_palette.png", 0, "PNG, 8-bit palette", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, 1.5, true), PageInk::colour);
    write_tiff(lot.path_of("04_tiff_uncompressed.tif"), page.image, TiffVariant::uncompressed_rgb, 200);
    lot.add("04_tiff_uncompressed.tif", 0, "TIFF, uncompressed 8-bit RGB (A4)", PageInk::colour, page);
  }

  // Compressed, 16-bit, alpha and planar TIFF.
  lot.start_record("J012-WS·2024-Y-BGS-0003", "关于档案数字化成果质量检查的通报");
  {
    const DrawnPage page = lot.draw(design(300), PageInk::colour);
    write_bytes(lot.path_of("01_tiff_lzw.tif"), samples::encode_tiff({{page.image, 300, samples::TiffCompression::lzw}}));
    lot.add("01_tiff_lzw.tif", 0, "TIFF, LZW 8-bit RGB", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, 1.5), PageInk::colour);
    write_bytes(lot.path_of("02_tiff_deflate.tif"),
                samples::encode_tiff({{page.image, 200, samples::TiffCompression::deflate}}));
    lot.add("02_tiff_deflate.tif", 0, "TIFF, Deflate 8-bit RGB", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200), PageInk::colour);
    write_tiff(lot.path_of("03_tiff_jpeg_ycbcr.tif"), page.image, TiffVariant::jpeg_ycbcr, 200);
    lot.add("03_tiff_jpeg_ycbcr.tif", 0, "TIFF, JPEG-compressed YCbCr", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, -1.5), PageInk::colour);
    write_tiff(lot.path_of("04_tiff_rgb16.tif"), page.image, TiffVariant::rgb16, 200);
    lot.add("04_tiff_rgb16.tif", 0, "TIFF, 16-bit RGB", PageInk::colour, page);
  }
  {
    DrawnPage page = lot.draw(design(200), PageInk::colour);
    write_tiff_rgba(lot.path_of("05_tiff_rgba.tif"), with_transparent_band(page), 200);
    lot.add("05_tiff_rgba.tif", 0, "TIFF, 8-bit RGBA (unassociated alpha)", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200, 1.5), PageInk::colour);
    write_tiff(lot.path_of("06_tiff_planar.tif"), page.image, TiffVariant::planar_rgb, 200);
    lot.add("06_tiff_planar.tif", 0, "TIFF, 8-bit RGB in separate planes", PageInk::colour, page);
  }

  // Multi-page, bitonal, palette and tiled TIFF.
  lot.start_record("J012-WS·2024-Y-BGS-0004", "关于调整档案保管期限的批复");
  {
    const DrawnPage first = lot.draw(design(200), PageInk::colour);
    const DrawnPage second = lot.draw(design(200, 1.5), PageInk::colour);
    write_bytes(lot.path_of("01_tiff_multipage.tif"),
                samples::encode_tiff({{first.image, 200, samples::TiffCompression::lzw},
                                      {second.image, 200, samples::TiffCompression::deflate}}));
    lot.add("01_tiff_multipage.tif", 0, "TIFF, multi-page, frame 1 (LZW RGB)", PageInk::colour, first);
    lot.add("01_tiff_multipage.tif", 1, "TIFF, multi-page, frame 2 (Deflate RGB)", PageInk::colour, second);
  }
  {
    const DrawnPage page = lot.draw(design(300), PageInk::bitonal);
    write_bytes(lot.path_of("02_tiff_g4_bitonal.tif"),
                samples::encode_tiff({{page.image, 300, samples::TiffCompression::ccitt_g4}}));
    lot.add("02_tiff_g4_bitonal.tif", 0, "TIFF, bitonal CCITT G4", PageInk::bitonal, page);
  }
  {
    DrawnPage page = lot.draw(design(200), PageInk::colour);
    cv::Mat quantised;
    const Palette palette = quantise(page.image, quantised);
    write_tiff_palette(lot.path_of("03_tiff_palette.tif"), palette, 200);
    page.image = quantised;
    lot.add("03_tiff_palette.tif", 0, "TIFF, 8-bit palette", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(200), PageInk::colour);
    write_tiff(lot.path_of("04_tiff_tiled.tif"), page.image, TiffVariant::tiled_rgb, 200);
    lot.add("04_tiff_tiled.tif", 0, "TIFF, tiled LZW 8-bit RGB", PageInk::colour, page);
  }

  // JPEG 2000, and CMYK with an embedded ICC profile (converted to sRGB on decode).
  lot.start_record("J012-WS·2024-Y-BGS-0005", "关于印发档案数字化外包服务规范的通知");
  {
    const DrawnPage page = lot.draw(design(300, 1.5), PageInk::colour);
    write_jp2(lot.path_of("01_jp2_lossless.jp2"), page.image, 300);
    lot.add("01_jp2_lossless.jp2", 0, "JPEG 2000, lossless JP2", PageInk::colour, page);
  }
  {
    const DrawnPage page = lot.draw(design(300), PageInk::colour);
    test_images::write_tiff_cmyk(lot.path_of("02_tiff_cmyk_icc.tif"), to_model_cmyk(page.image),
                                 test_images::model_cmyk_profile());
    lot.add("02_tiff_cmyk_icc.tif", 0, "TIFF, 8-bit CMYK with an ICC profile", PageInk::colour, page);
  }
  return lot.finish();
}

}  // namespace lantai::fidelity
