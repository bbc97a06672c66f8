// CMYK test material drawn in code: an ICC profile whose CMYK → Lab table follows a
// simple ink model (so the sRGB a patch should become is known), and CMYK TIFF and JPEG
// writers over libtiff and libjpeg-turbo.
#pragma once

#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

namespace lantai::test_images {

// The model the profile encodes: R = (1 − C)(1 − K), G = (1 − M)(1 − K), B = (1 − Y)(1 − K),
// each 0..1, read as sRGB. Returns 8-bit BGR.
cv::Vec3b model_cmyk_to_bgr(double c, double m, double y, double k);

// An ICC v4 input profile (CMYK → Lab, a 17-point table sampled from the model above), as bytes.
std::string model_cmyk_profile();

// CMYK TIFF (PhotometricInterpretation 5, InkSet CMYK) from CV_8UC4 or CV_16UC4 (0 = no
// ink), LZW, 300 dpi, with the ICC profile embedded when not empty.
void write_tiff_cmyk(const std::filesystem::path& path, const cv::Mat& cmyk, const std::string& icc_profile);

// A CMYK JPEG as Photoshop writes it: Adobe marker, inks stored inverted (0 = full ink),
// the ICC profile in APP2 when not empty. From CV_8UC4 with 0 = no ink.
void write_jpeg_cmyk(const std::filesystem::path& path, const cv::Mat& cmyk, const std::string& icc_profile);

// CIEDE2000 between two 8-bit sRGB colours given as BGR.
double delta_e_2000(cv::Vec3b a, cv::Vec3b b);

}  // namespace lantai::test_images
