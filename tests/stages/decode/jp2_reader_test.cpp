// JPEG 2000 pages: JP2 files and bare codestreams decode through the decode stage with
// their resolution box, and damaged ones are refused with the usual decode.* findings.
#include <gtest/gtest.h>

#include <openjpeg.h>

#include <cstring>
#include <memory>

#include "pipeline/jp2_codec.h"
#include "stages/decode/jp2_reader.h"
#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

std::string jp2(const cv::Mat& image, std::optional<double> dpi = 300.0) {
  return encode_jp2(image, Jp2Encoding{}, dpi);
}

// The codestream inside a JP2 file: what a scanner writing .j2k would have written.
std::string codestream_of(const std::string& file) {
  const std::size_t at = file.find("jp2c");
  EXPECT_NE(at, std::string::npos);
  return file.substr(at + 4);
}

// A lossless JP2 of `components` planes of `precision` bits, the last flagged as alpha when
// asked (OpenJPEG then writes a cdef box), straight through OpenJPEG: layouts lantai
// itself never writes.
std::string custom_jp2(const std::vector<cv::Mat>& planes, int precision, bool last_is_alpha) {
  std::vector<opj_image_cmptparm_t> parameters(planes.size());
  for (auto& p : parameters) {
    p = {};
    p.dx = p.dy = 1;
    p.w = static_cast<OPJ_UINT32>(planes[0].cols);
    p.h = static_cast<OPJ_UINT32>(planes[0].rows);
    p.prec = static_cast<OPJ_UINT32>(precision);
  }
  opj_image_t* image = opj_image_create(static_cast<OPJ_UINT32>(planes.size()), parameters.data(),
                                        planes.size() >= 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
  image->x1 = parameters[0].w;
  image->y1 = parameters[0].h;
  for (std::size_t c = 0; c < planes.size(); ++c) {
    cv::Mat values;
    planes[c].convertTo(values, CV_32S);
    std::memcpy(image->comps[c].data, values.data, values.total() * sizeof(OPJ_INT32));
  }
  if (last_is_alpha) image->comps[planes.size() - 1].alpha = 1;
  opj_cparameters_t settings;
  opj_set_default_encoder_parameters(&settings);
  settings.tcp_numlayers = 1;
  settings.tcp_rates[0] = 0;
  settings.cp_disto_alloc = 1;
  settings.numresolution = 3;
  const std::string path = (std::filesystem::temp_directory_path() / ("lantai-custom-" + std::to_string(::getpid()) + ".jp2")).string();
  opj_codec_t* codec = opj_create_compress(OPJ_CODEC_JP2);
  opj_set_warning_handler(codec, [](const char*, void*) {}, nullptr);
  opj_stream_t* stream = opj_stream_create_default_file_stream(path.c_str(), OPJ_FALSE);
  const bool written = opj_setup_encoder(codec, &settings, image) && opj_start_compress(codec, image, stream) &&
                       opj_encode(codec, stream) && opj_end_compress(codec, stream);
  opj_stream_destroy(stream);
  opj_destroy_codec(codec);
  opj_image_destroy(image);
  EXPECT_TRUE(written);
  std::string bytes = read_bytes(path);
  std::filesystem::remove(path);
  return bytes;
}

// Where the SIZ marker's fields start in a codestream (after FF4F FF51 and Lsiz).
std::size_t siz_of(const std::string& bytes) { return bytes.find("\xFF\x4F\xFF\x51") + 4; }

void put32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(value >> (24 - 8 * i));
}

void expect_refused(const Decoded& d, const std::string& code) {
  EXPECT_TRUE(find_code(d.outcome, code)) << "wanted " << code << ", got " << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_TRUE(d.outcome.rejected());
  EXPECT_TRUE(d.page.image.empty());
  for (const auto& finding : d.outcome.findings) {
    EXPECT_EQ(finding.message.rfind(d.page.rel_path, 0), 0u) << finding.message;
    EXPECT_EQ(finding.message.find('\n'), std::string::npos) << finding.message;
  }
}

//! A lossless colour JP2 decodes to exactly its pixels, as colour, with the capture resolution of its res box.
TEST_F(DecodeTest, Jp2ColourLosslessWithCaptureResolution) {
  const cv::Mat page = draw_page(320, 240, 3);
  write_bytes(path("p.jp2"), jp2(page, 300.0));
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("p.jp2");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(cv::norm(d.page.image, page, cv::NORM_INF), 0);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  EXPECT_EQ(d.page.facts.width_px, 320);
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 300);
}

//! A grey JP2 at 400 dpi decodes to grey; the probe tells its size from the header.
TEST_F(DecodeTest, Jp2GreyAndProbe) {
  const cv::Mat page = draw_page(200, 300, 1);
  write_bytes(path("g.jpx"), jp2(page, 400.0));
  const Decoded d = decode("g.jpx");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(cv::norm(d.page.image, page, cv::NORM_INF), 0);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::grey);
  EXPECT_DOUBLE_EQ(d.page.facts.resolution_dpi.value_or(0), 400);
  Item item;
  item.source = path("g.jpx");
  EXPECT_GE(stage_.working_bytes(item), 200u * 300u * 3u);
}

//! Only a display resolution (resd): it is used when there is no capture resolution.
TEST_F(DecodeTest, Jp2DisplayResolutionWhenNoCapture) {
  std::string bytes = jp2(draw_page(100, 100, 3), 250.0);
  const std::size_t at = bytes.find("resc");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 4, "resd");
  write_bytes(path("d.jp2"), bytes);
  EXPECT_EQ(parse_jp2_header({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()})->resolution_box,
            "resd");
  EXPECT_DOUBLE_EQ(decode("d.jp2").page.facts.resolution_dpi.value_or(0), 250);
}

//! A 16-bit grey JP2 decodes to 8 bits, each sample scaled (v · 255 / 65535, rounded).
TEST_F(DecodeTest, Jp2SixteenBitGreyIsScaled) {
  cv::Mat deep(40, 60, CV_16UC1);
  for (int y = 0; y < deep.rows; ++y)
    for (int x = 0; x < deep.cols; ++x) deep.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>((x * 1093 + y * 811) % 65536);
  write_bytes(path("deep.jp2"), custom_jp2({deep}, 16, false));
  const Decoded d = decode("deep.jp2");
  ASSERT_EQ(d.page.image.type(), CV_8UC1) << ::testing::PrintToString(codes_of(d.outcome));
  for (int y = 0; y < deep.rows; ++y)
    for (int x = 0; x < deep.cols; ++x)
      ASSERT_EQ(d.page.image.at<unsigned char>(y, x), (deep.at<std::uint16_t>(y, x) * 255u + 32767u) / 65535u);
}

//! An RGBA JP2 whose fourth component cdef marks as opacity is composited on white; a fourth component not so marked is left out.
TEST_F(DecodeTest, Jp2AlphaCompositedOnWhite) {
  const cv::Mat red(20, 30, CV_8UC1, cv::Scalar(200)), green(20, 30, CV_8UC1, cv::Scalar(20)),
      blue(20, 30, CV_8UC1, cv::Scalar(30));
  cv::Mat alpha(20, 30, CV_8UC1, cv::Scalar(255));
  alpha(cv::Rect(0, 0, 15, 20)).setTo(0);  // the left half transparent
  write_bytes(path("rgba.jp2"), custom_jp2({red, green, blue, alpha}, 8, true));
  const Decoded d = decode("rgba.jp2");
  ASSERT_EQ(d.page.image.type(), CV_8UC3) << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(10, 5), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(10, 25), cv::Vec3b(30, 20, 200));
  write_bytes(path("extra.jp2"), custom_jp2({red, green, blue, alpha}, 8, false));
  const Decoded extra = decode("extra.jp2");
  ASSERT_EQ(extra.page.image.type(), CV_8UC3) << ::testing::PrintToString(codes_of(extra.outcome));
  EXPECT_EQ(extra.page.image.at<cv::Vec3b>(10, 5), cv::Vec3b(30, 20, 200));
}

//! A JP2 without a res box, and a bare .j2k codestream, decode with decode.resolution_missing naming why.
TEST_F(DecodeTest, Jp2WithoutResolutionAndBareCodestream) {
  const cv::Mat page = draw_page(120, 90, 3);
  const std::string file = jp2(page, std::nullopt);
  write_bytes(path("n.jp2"), file);
  write_bytes(path("c.j2k"), codestream_of(file));
  for (const char* name : {"n.jp2", "c.j2k"}) {
    SCOPED_TRACE(name);
    const Decoded d = decode(name);
    const Finding* missing = find_code(d.outcome, "decode.resolution_missing");
    ASSERT_TRUE(missing);
    EXPECT_NE(missing->message.find(std::string(name) == "c.j2k" ? "codestream" : "res "), std::string::npos)
        << missing->message;
    EXPECT_EQ(cv::norm(d.page.image, page, cv::NORM_INF), 0);
  }
}

//! A JP2 cut in half is decode.truncated, and OpenJPEG prints nothing.
TEST_F(DecodeTest, TruncatedJp2) {
  write_bytes(path("cut.jp2"), jp2(draw_page(400, 300, 3)));
  keep_first_half(path("cut.jp2"));
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("cut.jp2");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  expect_refused(d, "decode.truncated");
}

//! A codestream whose SIZ claims 60000 x 60000 px is decode.too_large before OpenJPEG allocates anything.
TEST_F(DecodeTest, Jp2ClaimingHugeSizeIsRefusedFromTheHeader) {
  std::string bytes = codestream_of(jp2(draw_page(64, 64, 1)));
  const std::size_t siz = siz_of(bytes);
  put32(bytes, siz + 4, 60000);  // Xsiz
  put32(bytes, siz + 8, 60000);  // Ysiz
  put32(bytes, siz + 20, 60000);  // XTsiz: one tile
  put32(bytes, siz + 24, 60000);  // YTsiz
  write_bytes(path("big.j2k"), bytes);
  const DecodeStage stage = configured("{max_pixels: 1000000}");
  const Decoded d = decode_with(stage, "big.j2k");
  expect_refused(d, "decode.too_large");
  EXPECT_EQ(find_code(d.outcome, "decode.too_large")->value, "3600000000");
}

//! A codestream of 1 x 1 px tiles over a 4000 x 4000 page is decode.too_large: a tile record each would come first.
TEST_F(DecodeTest, Jp2TileBombIsRefused) {
  std::string bytes = codestream_of(jp2(draw_page(64, 64, 1)));
  const std::size_t siz = siz_of(bytes);
  put32(bytes, siz + 4, 4000);
  put32(bytes, siz + 8, 4000);
  put32(bytes, siz + 20, 1);
  put32(bytes, siz + 24, 1);
  write_bytes(path("tiles.j2k"), bytes);
  const Decoded d = decode("tiles.j2k");
  expect_refused(d, "decode.too_large");
  EXPECT_NE(find_code(d.outcome, "decode.too_large")->message.find("tiles"), std::string::npos);
}

//! A damaged main header (the COD marker asks for 64 decomposition levels, 32 at most) is decode.corrupt, silently. (Noise in the coded
//! data itself cannot be told: JPEG 2000 carries no checksum, and OpenJPEG decodes it.)
TEST_F(DecodeTest, Jp2DamagedMainHeader) {
  std::string bytes = jp2(draw_page(256, 256, 3));
  const std::size_t cod = bytes.find("\xFF\x52");
  ASSERT_NE(cod, std::string::npos);
  bytes[cod + 9] = 64;  // after FF52, Lcod, Scod, progression order, layers and MCT
  write_bytes(path("noisy.jp2"), bytes);
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("noisy.jp2");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  expect_refused(d, "decode.corrupt");
}

//! A JP2 named .jpg, and a JPEG named .jp2, are decode.mislabelled; a JP2 signature with mangled line ends is decode.corrupt.
TEST_F(DecodeTest, Jp2Mislabelled) {
  const std::string file = jp2(draw_page(64, 64, 3));
  write_bytes(path("a.jpg"), file);
  expect_refused(decode("a.jpg"), "decode.mislabelled");
  write_jpeg(path("b.jp2"), draw_page(64, 64, 3));
  expect_refused(decode("b.jp2"), "decode.mislabelled");
  std::string mangled = file;
  mangled[8] = '\n';  // the 0D 0A of the signature box, as a text-mode transfer leaves it
  write_bytes(path("c.jp2"), mangled);
  expect_refused(decode("c.jp2"), "decode.corrupt");
}

//! The file's JP2 header box lost: decode.corrupt naming the box.
TEST_F(DecodeTest, Jp2WithoutHeaderBox) {
  std::string bytes = jp2(draw_page(64, 64, 3));
  const std::size_t at = bytes.find("jp2h");
  bytes.replace(at, 4, "free");
  write_bytes(path("h.jp2"), bytes);
  const Decoded d = decode("h.jp2");
  expect_refused(d, "decode.corrupt");
  EXPECT_NE(find_code(d.outcome, "decode.corrupt")->message.find("jp2h"), std::string::npos);
}

}  // namespace
}  // namespace lantai::decode
