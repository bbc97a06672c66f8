#include "stages/derivatives/derivative_stage.h"

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <cmath>
#include <stdexcept>

#include "pipeline/files.h"

namespace lantai::derivatives {

namespace {

const ChoiceParam kFormat{"format", {"jpeg"}, "jpeg", "preservation image format (one per batch)"};
const IntegerParam kJpegQuality{"jpeg_quality", "", 50, 100, 90, "JPEG quality of the derivatives"};

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr info) {
  auto* manager = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

}  // namespace

std::string encode_jpeg(const cv::Mat& image, int quality, std::optional<double> resolution_dpi) {
  CV_Assert(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3));
  jpeg_compress_struct info{};
  ErrorManager errors{};
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(errors.jump)) {
    jpeg_destroy_compress(&info);
    std::free(buffer);
    throw std::runtime_error(std::string("libjpeg: ") + errors.message);
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(image.cols);
  info.image_height = static_cast<JDIMENSION>(image.rows);
  info.input_components = image.channels();
  info.in_color_space = image.channels() == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  if (resolution_dpi) {
    info.density_unit = 1;  // dots per inch
    info.X_density = info.Y_density = static_cast<UINT16>(std::lround(*resolution_dpi));
  }
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.ptr<unsigned char>(static_cast<int>(info.next_scanline)));
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::string bytes(reinterpret_cast<const char*>(buffer), size);
  jpeg_destroy_compress(&info);
  std::free(buffer);
  return bytes;
}

StageInfo DerivativeStage::describe() const {
  return {"derivatives", "Writes each processed page as the batch's preservation image, named by 档号 and serial.",
          "1", {kFormat.info(), kJpegQuality.info()}};
}

void DerivativeStage::setup(ProfileSection& section, const StageContext& context) {
  section.get(kFormat);
  settings_.jpeg_quality = static_cast<int>(section.get(kJpegQuality));
  context_ = context;
}

Outcome DerivativeStage::process(Page& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;
  std::string bytes = encode_jpeg(page.image, settings_.jpeg_quality, page.facts.resolution_dpi);
  outcome.outputs.push_back(write_output(context_.work_dir,
                                         "derivatives/" + page.record_ref + "/" + page.serial() + ".jpg", bytes,
                                         "derivative"));
  return outcome;
}

}  // namespace lantai::derivatives
