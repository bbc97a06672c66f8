// Test fixtures drawn and written in code: JPEG, PNG and TIFF writers over the real
// libraries, plus byte-level helpers to damage files on purpose.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::test_images {

namespace fs = std::filesystem;

// A deterministic page: a gradient with a dark bar and a light box, 8-bit, 1 or 3 channels.
cv::Mat draw_page(int width_px, int height_px, int channels, int seed = 0);

struct JpegOptions {
  bool jfif = true;
  int density_unit = 0;  // 0 none, 1 dpi, 2 dots/cm
  int x_density = 1;
  int y_density = 1;
  std::string exif_app1;  // written as an APP1 marker when not empty
  bool cmyk = false;      // write the image (grey) as a 4-component CMYK JPEG
  int quality = 95;
};
void write_jpeg(const fs::path& path, const cv::Mat& image, const JpegOptions& options = {});

// An EXIF APP1 payload whose IFD0 holds XResolution/YResolution (x/1) and ResolutionUnit.
std::string exif_payload(unsigned x_dpi, unsigned y_dpi, unsigned unit = 2, bool little_endian = true);

// 8-bit PNG from CV_8UC1 (grey), CV_8UC3 (BGR) or CV_8UC4 (BGRA).
void write_png(const fs::path& path, const cv::Mat& image, std::optional<unsigned> pixels_per_metre = {});
void write_png_16bit(const fs::path& path, const cv::Mat& grey16);
void write_png_bilevel(const fs::path& path, const cv::Mat& black_white);  // 1-bit grey
void write_png_palette(const fs::path& path, const cv::Mat& indices,
                       const std::vector<std::array<unsigned char, 3>>& rgb_palette);

struct TiffOptions {
  std::uint16_t compression = 1;          // COMPRESSION_NONE
  std::optional<float> resolution;        // XResolution = YResolution
  std::uint16_t resolution_unit = 2;      // RESUNIT_INCH
  std::uint32_t rows_per_strip = 16;
  std::uint32_t tile_size = 0;            // > 0: tiled, square tiles (a multiple of 16)
  bool bilevel = false;                   // 1-bit from 0/255 grey
  // For grey and bilevel frames; default: min-is-white for bilevel, min-is-black for grey.
  std::optional<std::uint16_t> photometric;
};
// One directory per frame: CV_8UC1, CV_8UC3 (BGR), CV_8UC4 (BGRA, unassociated alpha),
// CV_16UC1 or CV_16UC3.
void write_tiff(const fs::path& path, const std::vector<cv::Mat>& frames, const TiffOptions& options = {});
void write_tiff_palette(const fs::path& path, const cv::Mat& indices,
                        const std::vector<std::array<unsigned char, 3>>& rgb_palette);
// A grey TIFF, one uncompressed strip, written by hand with its directory *before* the
// pixels (as many scanners do), so cutting the file cuts image data, not the directory.
void write_tiff_directory_first(const fs::path& path, const cv::Mat& grey, unsigned dpi);
// An 8-bit grey TIFF whose header claims width x height but which holds a few bytes.
void write_tiff_claiming(const fs::path& path, std::uint32_t width, std::uint32_t height);

// One entry of a hand-built TIFF directory, with SHORT (3) or LONG (4) values; values that
// do not fit in the entry are stored after the directory.
struct TiffTag {
  std::uint16_t tag;
  std::uint16_t type;
  std::vector<std::uint32_t> values;
};
// Where hand_built_tiff puts its payload (right after the header), for StripOffsets.
inline constexpr std::uint32_t kHandBuiltPayloadAt = 8;
// A classic little-endian TIFF, written byte by byte so its tags can say anything: the
// header, the payload, then one directory of tags (sorted by tag here).
std::string hand_built_tiff(std::vector<TiffTag> tags, const std::string& payload);

std::string read_bytes(const fs::path& path);
void write_bytes(const fs::path& path, const std::string& bytes);
void keep_first_half(const fs::path& path);
std::uint32_t crc32(const unsigned char* data, std::size_t size);

}  // namespace lantai::test_images
