// Writers for the file variants that samples/image_encoder.h does not make, straight over
// libjpeg-turbo, libpng and libtiff, so the colour-fidelity lot holds every layout the
// decoder accepts. Each takes the page as 8-bit BGR (or grey where noted), writes its
// resolution tag in dots per inch (JFIF density, pHYs, XResolution/YResolution) and
// throws std::runtime_error naming the file when the library refuses.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::fidelity {

namespace fs = std::filesystem;

// Progressive JPEG (libjpeg's simple progression), YCbCr 4:2:0, from BGR.
void write_jpeg_progressive(const fs::path& path, const cv::Mat& bgr, int resolution_dpi, int quality);

// 16-bit samples: each 8-bit value v is stored as v·256 + 0x80, which scales back to v
// within one level, and whose two bytes differ, so a reader that swapped them would show.
std::uint16_t to_16bit(unsigned char v);

// PNG, 16 bits per sample, RGB.
void write_png_rgb16(const fs::path& path, const cv::Mat& bgr, int resolution_dpi);

// PNG, 8-bit RGBA, alpha unassociated (as PNG defines it).
void write_png_rgba(const fs::path& path, const cv::Mat& bgra, int resolution_dpi);

// An RGB palette (at most 256 entries) and one index per pixel.
struct Palette {
  std::vector<std::array<unsigned char, 3>> rgb;
  cv::Mat indices;  // CV_8UC1
};

// The 6·6·6 colour cube plus 40 greys; each pixel takes its nearest entry. quantised is
// the page as the palette shows it (BGR), the original the palette file stands for.
Palette quantise(const cv::Mat& bgr, cv::Mat& quantised);

void write_png_palette(const fs::path& path, const Palette& palette, int resolution_dpi);

enum class TiffVariant {
  uncompressed_rgb,  // 8-bit RGB, no compression, strips
  jpeg_ycbcr,        // JPEG-in-TIFF (compression 7), PhotometricInterpretation YCbCr, 2x2 subsampled
  rgb16,             // 16 bits per sample RGB, Deflate with the horizontal predictor
  tiled_rgb,         // 8-bit RGB in 256x256 tiles, LZW
  planar_rgb,        // 8-bit RGB, one plane per colour (PlanarConfiguration 2), LZW
};
void write_tiff(const fs::path& path, const cv::Mat& bgr, TiffVariant variant, int resolution_dpi);

// 8-bit RGBA TIFF, unassociated alpha (ExtraSamples 2), Deflate.
void write_tiff_rgba(const fs::path& path, const cv::Mat& bgra, int resolution_dpi);

// JPEG 2000 (OpenJPEG through lantai's codec), lossless, with a `resc` resolution box.
void write_jp2(const fs::path& path, const cv::Mat& bgr, int resolution_dpi);

// The page as CMYK inks (CV_8UC4, 0 = no ink) under the simple ink model of
// tests/stages/decode/cmyk_files.h (K = 1 − max(R, G, B), the rest under K), so that the
// model's ICC profile turns it back into the page's sRGB colours.
cv::Mat to_model_cmyk(const cv::Mat& bgr);

// 8-bit palette TIFF (PhotometricInterpretation 3), LZW.
void write_tiff_palette(const fs::path& path, const Palette& palette, int resolution_dpi);

}  // namespace lantai::fidelity
