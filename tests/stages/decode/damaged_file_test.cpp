// Files that must be refused, each with the reason it must fail.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <tiffio.h>

#include <array>
#include <fstream>
#include <random>
#include <tuple>

#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

void expect_rejected_as(const Decoded& d, const std::string& code) {
  EXPECT_TRUE(d.outcome.rejected()) << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_TRUE(find_code(d.outcome, code)) << "wanted " << code << ", got " << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_TRUE(d.page.image.empty());
  for (const auto& finding : d.outcome.findings) {
    EXPECT_EQ(finding.message.rfind(d.page.rel_path, 0), 0u) << finding.message;
    EXPECT_EQ(finding.message.find('\n'), std::string::npos) << finding.message;
  }
}

//! A JPEG cut in half is decode.truncated, and libjpeg prints nothing to stderr.
TEST_F(DecodeTest, TruncatedJpeg) {
  write_jpeg(path("cut.jpg"), draw_page(400, 300, 3), {.density_unit = 1, .x_density = 300, .y_density = 300});
  keep_first_half(path("cut.jpg"));
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("cut.jpg");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  expect_rejected_as(d, "decode.truncated");
}

//! A PNG cut in half is decode.truncated.
TEST_F(DecodeTest, TruncatedPng) {
  write_png(path("cut.png"), draw_page(300, 200, 3), 11811);
  keep_first_half(path("cut.png"));
  expect_rejected_as(decode("cut.png"), "decode.truncated");
}

//! A libtiff-written TIFF cut in half (its directory, written last, is gone) is decode.truncated, silently.
TEST_F(DecodeTest, TruncatedTiffLosesDirectory) {
  write_tiff(path("cut.tif"), {draw_page(300, 200, 3)}, {.compression = COMPRESSION_LZW, .resolution = 300.0f});
  keep_first_half(path("cut.tif"));
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("cut.tif");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  expect_rejected_as(d, "decode.truncated");
}

//! A TIFF with its directory first, cut in half through the pixels, is decode.truncated.
TEST_F(DecodeTest, TruncatedTiffLosesPixels) {
  write_tiff_directory_first(path("cut.tif"), draw_page(200, 200, 1), 300);
  ASSERT_TRUE(decode("cut.tif").outcome.findings.empty());  // whole, it decodes
  keep_first_half(path("cut.tif"));
  expect_rejected_as(decode("cut.tif"), "decode.truncated");
}

//! In a multi-page TIFF cut in half, an early frame still decodes and the lost last frame is decode.truncated.
TEST_F(DecodeTest, TruncatedMultiPageTiff) {
  std::vector<cv::Mat> pages;
  for (int i = 0; i < 4; ++i) pages.push_back(draw_page(200, 150, 1, i));
  write_tiff(path("multi.tif"), pages, {.resolution = 300.0f});
  keep_first_half(path("multi.tif"));
  EXPECT_FALSE(decode("multi.tif", 0).outcome.rejected());
  for (int frame : {1, 2, 3}) {  // cut through its pixels or tags, or wholly past the end
    SCOPED_TRACE(frame);
    expect_rejected_as(decode("multi.tif", frame), "decode.truncated");
  }
}

//! A BigTIFF strip whose 64-bit offset plus byte count wraps round past 2^64 is decode.truncated as lying past the end, not read.
TEST_F(DecodeTest, BigTiffStripOffsetWrapsRound) {
  std::string bytes("II\x2B\x00\x08\x00\x00\x00", 8);
  auto put = [&](std::uint64_t value, int size) {
    for (int i = 0; i < size; ++i) bytes.push_back(static_cast<char>(value >> (8 * i)));
  };
  put(16, 8);  // first directory
  const std::vector<std::array<std::uint64_t, 3>> entries = {  // tag, type, value; count 1
      {256, 3, 16}, {257, 3, 16}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
      {273, 16, 0xFFFFFFFFFFFFFF00ULL}, {277, 3, 1}, {278, 3, 16}, {279, 16, 0x200}};
  put(entries.size(), 8);
  for (const auto& [tag, type, value] : entries) {
    put(tag, 2), put(type, 2), put(1, 8), put(value, 8);
  }
  put(0, 8);
  write_bytes(path("wrap.tif"), bytes + std::string(256, '\x7f'));
  const Decoded d = decode("wrap.tif");
  expect_rejected_as(d, "decode.truncated");
  EXPECT_NE(find_code(d.outcome, "decode.truncated")->message.find("strip 0 ends at byte 18446744073709551615, past the end"),
            std::string::npos)
      << find_code(d.outcome, "decode.truncated")->message;
}

//! Found by fuzzing: asking a one-frame TIFF for frame 1 says it has no frame 1, not an error libtiff gave (over two lines) while opening frame 0.
TEST_F(DecodeTest, TiffMissingFrameIgnoresFirstFramesErrors) {
  // NumberOfInks 1 against SamplesPerPixel 3: libtiff reports it while reading the directory.
  write_bytes(path("inks.tif"), hand_built_tiff({{256, 4, {4}},
                                                 {257, 4, {2}},
                                                 {258, 3, {8, 8, 8}},
                                                 {259, 3, {COMPRESSION_NONE}},
                                                 {262, 3, {PHOTOMETRIC_RGB}},
                                                 {273, 4, {kHandBuiltPayloadAt}},
                                                 {277, 3, {3}},
                                                 {278, 4, {2}},
                                                 {279, 4, {24}},
                                                 {334, 3, {1}}},
                                                std::string(24, '\x7f')));
  EXPECT_FALSE(decode("inks.tif").outcome.rejected());
  const Decoded d = decode("inks.tif", 1);
  expect_rejected_as(d, "decode.corrupt");
  EXPECT_NE(find_code(d.outcome, "decode.corrupt")->message.find("the file has no frame 1"), std::string::npos)
      << find_code(d.outcome, "decode.corrupt")->message;
}

//! Overwriting a JPEG's entropy-coded data with garbage gives decode.corrupt (or truncated), never a page.
TEST_F(DecodeTest, CorruptJpegEntropyData) {
  write_jpeg(path("bad.jpg"), draw_page(256, 256, 3));
  std::string bytes = read_bytes(path("bad.jpg"));
  const size_t scan = bytes.find("\xFF\xDA");
  ASSERT_NE(scan, std::string::npos);
  std::mt19937 random(7);
  for (size_t i = scan + 20; i < bytes.size() - 200; i += 3) bytes[i] = static_cast<char>(random() & 0xFF);
  write_bytes(path("bad.jpg"), bytes);
  const Decoded d = decode("bad.jpg");
  EXPECT_TRUE(d.outcome.rejected());
  EXPECT_TRUE(find_code(d.outcome, "decode.corrupt") || find_code(d.outcome, "decode.truncated"))
      << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_TRUE(d.page.image.empty());
}

//! A flipped byte inside a PNG's compressed IDAT data is decode.corrupt.
TEST_F(DecodeTest, CorruptPngData) {
  write_png(path("bad.png"), draw_page(100, 100, 1));
  std::string bytes = read_bytes(path("bad.png"));
  const size_t idat = bytes.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  bytes[idat + 10] = static_cast<char>(bytes[idat + 10] ^ 0x55);
  write_bytes(path("bad.png"), bytes);
  expect_rejected_as(decode("bad.png"), "decode.corrupt");
}

//! A PNG named .jpg is decode.mislabelled and not decoded; so is a JPEG named .png and a PDF named .tif.
TEST_F(DecodeTest, MislabelledFiles) {
  write_png(path("png.jpg"), draw_page(20, 20, 1));
  write_jpeg(path("jpeg.PNG"), draw_page(20, 20, 1));
  write_bytes(path("doc.tif"), "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n");
  for (const char* name : {"png.jpg", "jpeg.PNG", "doc.tif"}) {
    const Decoded d = decode(name);
    EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.mislabelled"}) << name;
    expect_rejected_as(d, "decode.mislabelled");
    EXPECT_EQ(d.page.facts.width_px, 0) << name << ": nothing was decoded";
  }
  EXPECT_EQ(find_code(decode("png.jpg").outcome, "decode.mislabelled")->value, "PNG");
}

//! A zero-byte file is decode.empty.
TEST_F(DecodeTest, EmptyFile) {
  write_bytes(path("empty.jpg"), "");
  expect_rejected_as(decode("empty.jpg"), "decode.empty");
}

//! Random bytes are decode.unsupported; a PNG signature mangled by a text-mode transfer is decode.corrupt.
TEST_F(DecodeTest, UnknownAndDamagedSignatures) {
  std::mt19937 random(11);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random() & 0xFF);
  noise[0] = 0x3F;  // not the start of any known format
  write_bytes(path("noise.jpg"), noise);
  expect_rejected_as(decode("noise.jpg"), "decode.unsupported");

  write_png(path("crlf.png"), draw_page(20, 20, 1));
  std::string bytes = read_bytes(path("crlf.png"));
  bytes.erase(4, 1);  // "\r\n" became "\n"
  write_bytes(path("crlf.png"), bytes);
  expect_rejected_as(decode("crlf.png"), "decode.corrupt");
}

//! A missing file and a folder are decode.unreadable.
TEST_F(DecodeTest, UnreadableSources) {
  expect_rejected_as(decode("absent.jpg"), "decode.unreadable");
  fs::create_directories(path("folder.jpg"));
  expect_rejected_as(decode("folder.jpg"), "decode.unreadable");
}

long current_address_space_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  statm >> pages;
  return pages * ::sysconf(_SC_PAGESIZE);
}

// Caps this process's address space at its current size plus 512 MB, so a decoder that
// allocated for a bomb's claimed size would fail instead of passing.
void cap_address_space() {
  const rlim_t cap = static_cast<rlim_t>(current_address_space_bytes()) + (512L << 20);
  rlimit limit{cap, cap};
  ::setrlimit(RLIMIT_AS, &limit);
}

class DecompressionBomb : public DecodeTest {
 protected:
  // Decodes in a child process under cap_address_space(); an exception escaping the
  // decode (std::bad_alloc) ends the child with another status and fails the test.
  void expect_refused_without_allocating(const std::string& name, const std::string& code) {
    EXPECT_EXIT(
        {
          cap_address_space();
          const Decoded d = decode(name);
          const Finding* finding = find_code(d.outcome, code);
          std::exit(finding && d.outcome.rejected() && d.page.image.empty() ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
  }

  void expect_too_large_without_allocating(const std::string& name) {
    expect_refused_without_allocating(name, "decode.too_large");
    EXPECT_EQ(find_code(decode(name).outcome, "decode.too_large")->threshold, "300000000");
  }
};

//! A valid PNG whose IHDR claims 100000 x 100000 px is decode.too_large, refused before allocating.
TEST_F(DecompressionBomb, Png) {
  write_png(path("bomb.png"), draw_page(1, 1, 1));
  std::string bytes = read_bytes(path("bomb.png"));
  const size_t ihdr = bytes.find("IHDR");
  ASSERT_NE(ihdr, std::string::npos);
  for (int field = 0; field < 2; ++field) {  // width, height: 100000 big-endian
    const std::uint32_t value = 100000;
    for (int b = 0; b < 4; ++b) bytes[ihdr + 4 + field * 4 + b] = static_cast<char>(value >> (24 - 8 * b));
  }
  const std::uint32_t crc = crc32(reinterpret_cast<const unsigned char*>(bytes.data() + ihdr), 4 + 13);
  for (int b = 0; b < 4; ++b) bytes[ihdr + 17 + b] = static_cast<char>(crc >> (24 - 8 * b));
  write_bytes(path("bomb.png"), bytes);
  expect_too_large_without_allocating("bomb.png");
  EXPECT_EQ(find_code(decode("bomb.png").outcome, "decode.too_large")->value, "10000000000");
}

//! A TIFF whose directory claims 100000 x 100000 px is decode.too_large, refused before allocating.
TEST_F(DecompressionBomb, Tiff) {
  write_tiff_claiming(path("bomb.tif"), 100000, 100000);
  expect_too_large_without_allocating("bomb.tif");
}

//! A JPEG whose SOF claims 65000 x 65000 px is decode.too_large, refused before allocating.
TEST_F(DecompressionBomb, Jpeg) {
  write_jpeg(path("bomb.jpg"), draw_page(16, 16, 3));
  std::string bytes = read_bytes(path("bomb.jpg"));
  const size_t sof = bytes.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  for (size_t at : {sof + 5, sof + 7}) {  // height, width: 65000 big-endian
    bytes[at] = static_cast<char>(65000 >> 8);
    bytes[at + 1] = static_cast<char>(65000 & 0xFF);
  }
  write_bytes(path("bomb.jpg"), bytes);
  expect_too_large_without_allocating("bomb.jpg");
}

// A 65535 px wide 16-bit RGB frame of 2000 rows (131 Mpx, within max_pixels) in two
// uncompressed strips of 1000 rows (393 MB each), whose StripByteCounts claim byte_count
// bytes each, at kHandBuiltPayloadAt and 32 bytes on. (With one strip libtiff would
// re-estimate a byte count that small.)
std::vector<TiffTag> wide_rgb16_tags(std::uint32_t byte_count, std::uint16_t compression = 1) {
  return {{256, 4, {65535}},
          {257, 4, {2000}},
          {258, 3, {16, 16, 16}},
          {259, 3, {compression}},
          {262, 3, {2}},
          {273, 4, {kHandBuiltPayloadAt, kHandBuiltPayloadAt + 32}},
          {277, 3, {3}},
          {278, 4, {1000}},
          {279, 4, {byte_count, byte_count}}};
}

//! The reported file: a 65535 px wide TIFF whose strip byte counts lie (32 bytes for 393 MB strips) is decode.truncated, found before allocating (it used to escape as std::bad_alloc).
TEST_F(DecompressionBomb, TiffStripByteCountsLie) {
  write_bytes(path("wide.tif"), hand_built_tiff(wide_rgb16_tags(32), std::string(64, '\x7f')));
  expect_refused_without_allocating("wide.tif", "decode.truncated");
  const Decoded d = decode("wide.tif");
  expect_rejected_as(d, "decode.truncated");
  EXPECT_EQ(d.page.facts.width_px, 65535);
}

//! LZW strips whose byte counts are far too few to decode to their size (32 bytes for 393 MB) are decode.corrupt, found before allocating.
TEST_F(DecompressionBomb, TiffCompressedStripsTooShort) {
  write_bytes(path("lzw.tif"), hand_built_tiff(wide_rgb16_tags(32, COMPRESSION_LZW), std::string(64, '\x7f')));
  expect_refused_without_allocating("lzw.tif", "decode.corrupt");
  EXPECT_NE(find_code(decode("lzw.tif").outcome, "decode.corrupt")->message.find("too few to decode"), std::string::npos);
}

//! A 16 x 16 px TIFF declaring one 65536 x 65536 px tile (4 GB to decode it into) is decode.too_large, refused before allocating.
TEST_F(DecompressionBomb, TiffHugeTile) {
  write_bytes(path("tile.tif"), hand_built_tiff({{256, 4, {16}},
                                                 {257, 4, {16}},
                                                 {258, 3, {8}},
                                                 {259, 3, {COMPRESSION_JPEG}},
                                                 {262, 3, {PHOTOMETRIC_MINISBLACK}},
                                                 {277, 3, {1}},
                                                 {322, 4, {65536}},
                                                 {323, 4, {65536}},
                                                 {324, 4, {kHandBuiltPayloadAt}},
                                                 {325, 4, {64}}},
                                                std::string(64, '\x7f')));
  expect_refused_without_allocating("tile.tif", "decode.too_large");
  EXPECT_NE(find_code(decode("tile.tif").outcome, "decode.too_large")->message.find("one tile needs 4294967296 bytes"),
            std::string::npos);
}

//! A 1000 x 100 px grey TIFF claiming 60000 samples a pixel (a 6 GB strip) is decode.too_large, refused before allocating.
TEST_F(DecompressionBomb, TiffAbsurdSamplesPerPixel) {
  write_bytes(path("samples.tif"), hand_built_tiff({{256, 4, {1000}},
                                                    {257, 4, {100}},
                                                    {258, 3, {8}},
                                                    {259, 3, {COMPRESSION_JPEG}},
                                                    {262, 3, {PHOTOMETRIC_MINISBLACK}},
                                                    {273, 4, {kHandBuiltPayloadAt}},
                                                    {277, 3, {60000}},
                                                    {278, 4, {100}},
                                                    {279, 4, {64}}},
                                                   std::string(64, '\x7f')));
  expect_refused_without_allocating("samples.tif", "decode.too_large");
}

//! A 16 x 16 px baseline JPEG whose SOF claims 15000 x 15000 px (225 Mpx, within max_pixels) is decode.truncated: its 1 KB cannot hold 2 bits for each of its blocks.
TEST_F(DecompressionBomb, JpegFrameLargerThanItsData) {
  write_jpeg(path("grown.jpg"), draw_page(16, 16, 3));
  std::string bytes = read_bytes(path("grown.jpg"));
  const size_t sof = bytes.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  for (size_t at : {sof + 5, sof + 7}) {  // height, width: 15000 big-endian
    bytes[at] = static_cast<char>(15000 >> 8);
    bytes[at + 1] = static_cast<char>(15000 & 0xFF);
  }
  write_bytes(path("grown.jpg"), bytes);
  expect_refused_without_allocating("grown.jpg", "decode.truncated");
  EXPECT_EQ(decode("grown.jpg").page.facts.width_px, 15000);
}

//! A PNG whose IHDR claims 15000 x 15000 px (within max_pixels) over a few bytes of IDAT is decode.corrupt, refused before allocating; cut before IEND it is decode.truncated.
TEST_F(DecompressionBomb, PngHeaderLargerThanItsData) {
  write_png(path("grown.png"), draw_page(2, 2, 3));
  std::string bytes = read_bytes(path("grown.png"));
  const size_t ihdr = bytes.find("IHDR");
  ASSERT_NE(ihdr, std::string::npos);
  for (int field = 0; field < 2; ++field)
    for (int b = 0; b < 4; ++b) bytes[ihdr + 4 + field * 4 + b] = static_cast<char>(15000u >> (24 - 8 * b));
  const std::uint32_t crc = crc32(reinterpret_cast<const unsigned char*>(bytes.data() + ihdr), 4 + 13);
  for (int b = 0; b < 4; ++b) bytes[ihdr + 17 + b] = static_cast<char>(crc >> (24 - 8 * b));
  write_bytes(path("grown.png"), bytes);
  expect_refused_without_allocating("grown.png", "decode.corrupt");
  write_bytes(path("cut.png"), bytes.substr(0, bytes.find("IEND") - 4));
  expect_rejected_as(decode("cut.png"), "decode.truncated");
}

// Points the last directory of a classic little-endian TIFF back at its directory number
// loop_to (0 = the first): a chain that never ends.
void make_ifd_loop(const fs::path& file, int loop_to) {
  std::string bytes = read_bytes(file);
  auto u32 = [&](size_t at) {
    std::uint32_t v = 0;
    for (int b = 3; b >= 0; --b) v = v << 8 | static_cast<unsigned char>(bytes[at + b]);
    return v;
  };
  std::vector<std::uint32_t> directories;
  for (std::uint32_t at = u32(4); at != 0;) {
    directories.push_back(at);
    const unsigned entries = static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8;
    const size_t next_at = at + 2 + 12 * entries;
    at = u32(next_at);
    if (at == 0)
      for (int b = 0; b < 4; ++b) bytes[next_at + b] = static_cast<char>(directories[loop_to] >> (8 * b));
  }
  write_bytes(file, bytes);
}

//! A two-frame TIFF whose second directory links back to the first: both frames decode, and the frame past the loop (the one ingest adds for a broken chain) is decode.corrupt naming the loop, silently; a one-frame TIFF linking to itself likewise.
TEST_F(DecodeTest, LoopingDirectoryChain) {
  write_tiff(path("loop.tif"), {draw_page(120, 90, 1, 1), draw_page(120, 90, 1, 2)}, {.resolution = 300.0f});
  make_ifd_loop(path("loop.tif"), 0);
  EXPECT_FALSE(decode("loop.tif", 0).outcome.rejected());
  EXPECT_FALSE(decode("loop.tif", 1).outcome.rejected());
  ::testing::internal::CaptureStderr();
  const Decoded past = decode("loop.tif", 2);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  expect_rejected_as(past, "decode.corrupt");
  const Finding* finding = find_code(past.outcome, "decode.corrupt");
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("loops back"), std::string::npos) << finding->message;
  EXPECT_NE(finding->message.find("IFD looping"), std::string::npos) << finding->message;

  write_tiff(path("self.tif"), {draw_page(120, 90, 1, 3)}, {.resolution = 300.0f});
  make_ifd_loop(path("self.tif"), 0);
  EXPECT_FALSE(decode("self.tif", 0).outcome.rejected());
  expect_rejected_as(decode("self.tif", 1), "decode.corrupt");
}

//! A zero-byte file named as a page of each format is refused with a decode.* finding naming it, not a crash.
TEST_F(DecodeTest, ZeroByteFiles) {
  for (const std::string name : {"empty.tif", "empty.jpg", "empty.png", "empty.jp2"}) {
    SCOPED_TRACE(name);
    write_bytes(path(name), "");
    const Decoded d = decode(name);
    EXPECT_TRUE(d.outcome.rejected());
    ASSERT_FALSE(d.outcome.findings.empty());
    EXPECT_EQ(d.outcome.findings.front().code.rfind("decode.", 0), 0u) << d.outcome.findings.front().code;
    EXPECT_NE(d.outcome.findings.front().message.find(name), std::string::npos) << d.outcome.findings.front().message;
    EXPECT_TRUE(d.page.image.empty());
  }
}

//! TIFFs claiming zero width or zero height are decode.corrupt, each a one-line finding naming the file.
TEST_F(DecodeTest, ZeroDimensionTiff) {
  for (const auto& [name, width, height] : {std::tuple{"no-width.tif", 0u, 4u}, std::tuple{"no-height.tif", 4u, 0u}}) {
    SCOPED_TRACE(name);
    write_bytes(path(name), hand_built_tiff({{256, 4, {width}},
                                             {257, 4, {height}},
                                             {258, 3, {8}},
                                             {259, 3, {COMPRESSION_NONE}},
                                             {262, 3, {PHOTOMETRIC_MINISBLACK}},
                                             {273, 4, {kHandBuiltPayloadAt}},
                                             {277, 3, {1}},
                                             {278, 4, {4}},
                                             {279, 4, {16}}},
                                            std::string(16, '\x7f')));
    expect_rejected_as(decode(name), "decode.corrupt");
  }
}

//! max_pixels from the profile is the limit: a 100 x 100 page passes at 10000 and is too_large at 9999.
TEST_F(DecodeTest, MaxPixelsFromProfile) {
  write_png(path("p.png"), draw_page(100, 100, 1), 11811);
  EXPECT_FALSE(decode_with(configured("{max_pixels: 10000}"), "p.png").outcome.rejected());
  const Decoded d = decode_with(configured("{max_pixels: 9999}"), "p.png");
  expect_rejected_as(d, "decode.too_large");
  EXPECT_EQ(d.page.facts.width_px, 100);  // the header's size is still recorded
}

}  // namespace
}  // namespace lantai::decode
