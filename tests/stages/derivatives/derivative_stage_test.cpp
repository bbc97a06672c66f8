// Derivatives: named by 档号 and serial, written atomically, deterministic bytes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/derivatives/derivative_stage.h"

namespace lantai::derivatives {
namespace {

//! The same pixels give the same JPEG bytes, and the JFIF header carries the resolution.
TEST(DerivativeStage, EncodesDeterministicallyWithResolution) {
  cv::Mat image(400, 300, CV_8UC3, cv::Scalar(200, 220, 240));
  cv::circle(image, {150, 200}, 80, cv::Scalar(0, 0, 200), 6);
  std::string a = encode_jpeg(image, 90, 300.0), b = encode_jpeg(image, 90, 300.0);
  EXPECT_EQ(a, b);
  ASSERT_GT(a.size(), 20u);
  EXPECT_EQ(a.substr(6, 4), "JFIF");
  EXPECT_EQ(static_cast<unsigned char>(a[13]), 1);  // density unit: dots per inch
  EXPECT_EQ((static_cast<unsigned char>(a[14]) << 8) | static_cast<unsigned char>(a[15]), 300);
  EXPECT_NE(encode_jpeg(image, 60, 300.0), a);
}

//! The stage writes WORK/derivatives/<档号>/<serial>.jpg and reports its checksum.
TEST(DerivativeStage, WritesNamedOutput) {
  auto work = std::filesystem::temp_directory_path() / "lantai-derivatives";
  std::filesystem::remove_all(work);
  DerivativeStage stage;
  YAML::Node none;
  ProfileSection section("test.yaml", "derivatives", none);
  stage.setup(section, StageContext{work, {}, 1});
  Page page;
  page.record_ref = "J012-WS·2021-Y-BGS-0001";
  page.seq = 7;
  page.image = cv::Mat(100, 80, CV_8UC1, cv::Scalar(128));
  Outcome outcome = stage.process(page);
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].path, "derivatives/J012-WS·2021-Y-BGS-0001/0007.jpg");
  std::string bytes = read_file(work / std::filesystem::u8path(outcome.outputs[0].path));
  EXPECT_EQ(outcome.outputs[0].sha256, hex_digest(DigestAlgorithm::sha256, bytes));
  EXPECT_EQ(outcome.outputs[0].size_bytes, bytes.size());
}

}  // namespace
}  // namespace lantai::derivatives
