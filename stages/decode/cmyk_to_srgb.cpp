#include "stages/decode/cmyk_to_srgb.h"

#include <lcms2.h>

#include <memory>
#include <type_traits>

namespace lantai::decode {

namespace {

struct Messages {
  std::string first_error;
};

void on_error(cmsContext context, cmsUInt32Number, const char* text) {
  auto* messages = static_cast<Messages*>(cmsGetContextUserData(context));
  if (messages && messages->first_error.empty()) messages->first_error = text;
}

struct ContextCloser {
  void operator()(cmsContext context) const { cmsDeleteContext(context); }
};
struct ProfileCloser {
  void operator()(void* profile) const { cmsCloseProfile(static_cast<cmsHPROFILE>(profile)); }
};
struct TransformCloser {
  void operator()(void* transform) const { cmsDeleteTransform(static_cast<cmsHTRANSFORM>(transform)); }
};

std::string with_reason(const std::string& what, const Messages& messages) {
  return messages.first_error.empty() ? what : what + " (LittleCMS: " + messages.first_error + ")";
}

}  // namespace

std::string cmyk_to_bgr(const cv::Mat& cmyk, bool inverted, std::span<const unsigned char> icc_profile, cv::Mat& bgr) {
  bgr.release();
  if (icc_profile.empty()) return "CMYK without an ICC profile";
  Messages messages;
  std::unique_ptr<std::remove_pointer_t<cmsContext>, ContextCloser> context(cmsCreateContext(nullptr, &messages));
  if (!context) return "LittleCMS cannot start";
  cmsSetLogErrorHandlerTHR(context.get(), on_error);
  std::unique_ptr<void, ProfileCloser> source(
      cmsOpenProfileFromMemTHR(context.get(), icc_profile.data(), static_cast<cmsUInt32Number>(icc_profile.size())));
  if (!source) return with_reason("the embedded ICC profile cannot be read", messages);
  if (cmsGetColorSpace(source.get()) != cmsSigCmykData)
    return "the embedded ICC profile is not a CMYK profile, so it cannot say what the CMYK values mean";
  std::unique_ptr<void, ProfileCloser> srgb(cmsCreate_sRGBProfileTHR(context.get()));
  const bool deep = cmyk.depth() == CV_16U;
  const cmsUInt32Number input = deep ? (inverted ? TYPE_CMYK_16_REV : TYPE_CMYK_16) : (inverted ? TYPE_CMYK_8_REV : TYPE_CMYK_8);
  std::unique_ptr<void, TransformCloser> transform(
      cmsCreateTransformTHR(context.get(), source.get(), input, srgb.get(), TYPE_BGR_8, INTENT_RELATIVE_COLORIMETRIC,
                            cmsFLAGS_BLACKPOINTCOMPENSATION));
  if (!transform) return with_reason("LittleCMS cannot convert with the embedded ICC profile", messages);
  cv::Mat out(cmyk.rows, cmyk.cols, CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y)
    cmsDoTransform(transform.get(), cmyk.ptr(y), out.ptr(y), static_cast<cmsUInt32Number>(cmyk.cols));
  bgr = out;
  return {};
}

}  // namespace lantai::decode
