#include "tests/ui-web/media_lot.h"

#include <cstdlib>
#include <stdexcept>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "tests/support/photo_files.h"

namespace lantai::review::testing {
namespace fs = std::filesystem;

namespace {

void ffmpeg(const std::string& arguments, const fs::path& out) {
  const std::string command = "ffmpeg -hide_banner -loglevel error -nostdin -y " + arguments + " '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + command);
}

}  // namespace

void write_media_lot(const fs::path& dir) {
  fs::remove_all(dir);
  const fs::path scans = dir / "scans";
  for (const std::string& ref : {kMediaPhoto, kMediaVideo, kMediaSound}) fs::create_directories(scans / fs::u8path(ref));
  // 3000 px across at 600 dpi: a print of 127 mm, scanned fine enough to pass photo QC.
  test_photos::write_jpeg(scans / fs::u8path(kMediaPhoto) / "0001.jpg", test_photos::draw_photo({3000, 2100}), 600,
                          {"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600}, test_photos::srgb_icc());
  ffmpeg("-f lavfi -i testsrc2=size=720x576:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
         "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M -aspect 4:3 "
         "-c:a pcm_s24le -ac 2 -t 2",
         scans / fs::u8path(kMediaVideo) / "0001.avi");
  ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le -t 2",
         scans / fs::u8path(kMediaSound) / "0001.wav");
  std::string catalogue = "档号,门类,题名,责任者,日期,页数,保管期限,照片号,摄影者,时间,地点,人物,底片号,参见号\r\n";
  catalogue += csv_line({kMediaPhoto, "照片", "新馆落成典礼", "", "", "1", "永久", "ZP0001", "王明", "1985-10-01", "临江市",
                         "李华", "DP0001", ""}, "\r\n");
  catalogue += csv_line({kMediaVideo, "录像", "档案工作会议录像", "临江市档案局", "20211215", "1", "永久", "", "", "", "",
                         "", "", ""}, "\r\n");
  catalogue += csv_line({kMediaSound, "录音", "档案工作会议录音", "临江市档案局", "20211215", "1", "永久", "", "", "", "",
                         "", "", ""}, "\r\n");
  write_file_atomically(dir / "catalogue.csv", catalogue);
}

}  // namespace lantai::review::testing
