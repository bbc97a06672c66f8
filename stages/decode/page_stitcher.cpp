#include "stages/decode/page_stitcher.h"

#include <algorithm>
#include <cmath>
#include <new>

#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/stitching.hpp>
#include <opencv2/stitching/detail/blenders.hpp>
#include <opencv2/stitching/detail/exposure_compensate.hpp>

namespace lantai::decode {

namespace {

// The seam error is measured on copies whose longer side is at most this (about 100 dpi
// for half an A3 sheet at 300 dpi): a registration off by under a pixel of the scan does
// not count, one off by a stroke's width does.
constexpr double kAnalysisSide = 1200;
// The parts are registered on copies of at most this many megapixels (the stitcher's
// default, 0.6, leaves too little of small text to match two halves of a page).
constexpr double kRegistrationMpx = 3.0;
// Features per part, found on its registration copy.
constexpr int kFeatures = 5000;
// Edges of a part (its scanned border, interpolation at its rim) are left out of the
// seam error, in analysis pixels.
constexpr int kEdgeMargin = 3;

std::string failure_of(cv::Stitcher::Status status) {
  switch (status) {
    case cv::Stitcher::ERR_NEED_MORE_IMGS:
      return "the parts share too few matching features to be registered (not parts of one page, or too little "
             "overlap)";
    case cv::Stitcher::ERR_HOMOGRAPHY_EST_FAIL: return "no consistent placement of the parts was found";
    case cv::Stitcher::ERR_CAMERA_PARAMS_ADJUST_FAIL: return "the placement of the parts could not be refined";
    case cv::Stitcher::OK: break;
  }
  return "the stitcher failed";
}

// A part's placement on the stitched page, at full size. The stitcher's affine camera
// (found on copies reduced by work_scale) carries the page to the part: its inverse, with
// the translation brought to full size.
cv::Matx33d placement(const cv::detail::CameraParams& camera, double work_scale) {
  cv::Mat r;
  camera.R.convertTo(r, CV_64F);
  cv::Matx33d a(r);
  a = a.inv();
  a(0, 2) /= work_scale;
  a(1, 2) /= work_scale;
  return a;
}

std::vector<cv::Point2f> corners_of(const cv::Size& size, const cv::Matx33d& a) {
  std::vector<cv::Point2f> corners;
  for (const cv::Point2d p : {cv::Point2d(0, 0), cv::Point2d(size.width, 0), cv::Point2d(size.width, size.height),
                              cv::Point2d(0, size.height)}) {
    const cv::Vec3d q = a * cv::Vec3d(p.x, p.y, 1);
    corners.emplace_back(static_cast<float>(q[0] / q[2]), static_cast<float>(q[1] / q[2]));
  }
  return corners;
}

cv::Mat grey_of(const cv::Mat& image) {
  if (image.channels() == 1) return image;
  cv::Mat grey;
  cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

// RMS grey difference of two parts over their overlap (less its mean), each warped by its
// placement onto a reduced copy of the page; -1 when they do not overlap there.
double seam_error(const cv::Mat& first, const cv::Matx33d& a_first, const cv::Mat& second, const cv::Matx33d& a_second,
                  const cv::Rect2d& page_box) {
  const double longer = std::max({first.cols, first.rows, second.cols, second.rows});
  const double scale = std::min(1.0, kAnalysisSide / longer);
  const cv::Size size(std::max(1, static_cast<int>(std::ceil(page_box.width * scale))),
                      std::max(1, static_cast<int>(std::ceil(page_box.height * scale))));
  // Page coordinates reduced: p' = scale * (p - origin).
  const cv::Matx33d to_small(scale, 0, -scale * page_box.x, 0, scale, -scale * page_box.y, 0, 0, 1);
  cv::Mat warped[2], masks[2];
  const cv::Mat* parts[2] = {&first, &second};
  const cv::Matx33d* placements[2] = {&a_first, &a_second};
  for (int k = 0; k < 2; ++k) {
    cv::Mat small;
    cv::resize(grey_of(*parts[k]), small, cv::Size(), scale, scale, cv::INTER_AREA);
    // From the reduced part to the reduced page.
    const cv::Matx33d from_small(1 / scale, 0, 0, 0, 1 / scale, 0, 0, 0, 1);
    const cv::Matx33d m = to_small * (*placements[k]) * from_small;
    const cv::Matx23d affine(m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2));
    cv::warpAffine(small, warped[k], affine, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    cv::warpAffine(cv::Mat(small.size(), CV_8UC1, cv::Scalar(255)), masks[k], affine, size, cv::INTER_NEAREST,
                   cv::BORDER_CONSTANT, 0);
    cv::erode(masks[k], masks[k], cv::Mat(), cv::Point(-1, -1), kEdgeMargin);
  }
  cv::Mat both = masks[0] & masks[1];
  const int count = cv::countNonZero(both);
  if (count == 0) return -1;
  // The parts' difference less its mean: a part scanned a little lighter (the lid, the
  // lamp) is not a misregistration, strokes that do not meet are.
  cv::Mat difference;
  cv::subtract(warped[0], warped[1], difference, cv::noArray(), CV_32F);
  const double offset = cv::mean(difference, both)[0];
  cv::subtract(difference, cv::Scalar(offset), difference);
  difference.setTo(0, both == 0);
  const double sum_squares = cv::norm(difference, cv::NORM_L2SQR);
  return std::sqrt(sum_squares / count);
}

double quad_area(const std::vector<cv::Point2f>& quad) { return std::abs(cv::contourArea(quad)); }

}  // namespace

StitchedPage stitch_page(const std::vector<cv::Mat>& parts, long long max_pixels) {
  StitchedPage result;
  std::vector<cv::Mat> colour;
  bool any_colour = false;
  for (const cv::Mat& part : parts) {
    any_colour = any_colour || part.channels() == 3;
    cv::Mat bgr = part;
    if (part.channels() == 1) cv::cvtColor(part, bgr, cv::COLOR_GRAY2BGR);
    colour.push_back(bgr);
  }
  try {
    cv::Ptr<cv::Stitcher> stitcher = cv::Stitcher::create(cv::Stitcher::SCANS);
    // Colours are the page's: no exposure compensation, and no blending, so each pixel
    // of the page is one part's pixel (the seam finder chooses which, inside the overlap).
    // Text is small and repetitive: ORB's default 500 features are too few to find the
    // overlap of two halves of a page with certainty.
    stitcher->setFeaturesFinder(cv::ORB::create(kFeatures));
    stitcher->setRegistrationResol(kRegistrationMpx);
    stitcher->setExposureCompensator(cv::makePtr<cv::detail::NoExposureCompensator>());
    stitcher->setBlender(cv::detail::Blender::createDefault(cv::detail::Blender::NO));
    cv::Stitcher::Status status = stitcher->estimateTransform(colour);
    if (status != cv::Stitcher::OK) {
      result.failure = failure_of(status);
      return result;
    }
    const std::vector<int> placed = stitcher->component();
    if (placed.size() != parts.size()) {
      std::string left_out;
      for (std::size_t i = 0; i < parts.size(); ++i)
        if (std::find(placed.begin(), placed.end(), static_cast<int>(i)) == placed.end())
          left_out += (left_out.empty() ? "" : ", ") + std::string(1, static_cast<char>('a' + i));
      result.failure = "part " + left_out + " matches no other part well enough to be placed (another page?)";
      return result;
    }
    const std::vector<cv::detail::CameraParams> cameras = stitcher->cameras();
    std::vector<cv::Matx33d> placements;
    std::vector<std::vector<cv::Point2f>> quads;
    cv::Rect2d box;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      placements.push_back(placement(cameras[i], stitcher->workScale()));
      const cv::Matx33d& a = placements.back();
      // A part scanned at the same resolution keeps its size; a placement that shrinks or
      // grows a part by half is a false registration.
      const double part_scale = std::sqrt(std::abs(a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0)));
      if (!(part_scale > 0.67 && part_scale < 1.5)) {
        result.failure = "the registration would scale part " + std::string(1, static_cast<char>('a' + i)) +
                         " by " + std::to_string(part_scale) + " (a false match)";
        return result;
      }
      quads.push_back(corners_of(parts[i].size(), a));
      double left = quads.back()[0].x, right = left, top = quads.back()[0].y, bottom = top;
      for (const cv::Point2f& corner : quads.back()) {
        left = std::min<double>(left, corner.x);
        right = std::max<double>(right, corner.x);
        top = std::min<double>(top, corner.y);
        bottom = std::max<double>(bottom, corner.y);
      }
      const cv::Rect2d bounds(left, top, right - left, bottom - top);
      box = i == 0 ? bounds : (box | bounds);
    }
    result.claimed_pixels = static_cast<std::uint64_t>(std::ceil(box.width) * std::ceil(box.height));
    if (result.claimed_pixels > static_cast<std::uint64_t>(max_pixels)) {
      result.too_large = true;
      result.failure = "the stitched page would have " + std::to_string(result.claimed_pixels) +
                       " pixels, more than max_pixels (" + std::to_string(max_pixels) + ")";
      return result;
    }
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      Seam seam;
      seam.first = static_cast<int>(i);
      std::vector<cv::Point2f> common;
      const double overlap = cv::intersectConvexConvex(quads[i], quads[i + 1], common, true);
      seam.overlap_share = overlap / std::min(quad_area(quads[i]), quad_area(quads[i + 1]));
      const double error = seam_error(parts[i], placements[i], parts[i + 1], placements[i + 1], box);
      seam.measured = error >= 0;
      seam.error_grey = std::max(0.0, error);
      result.seams.push_back(seam);
    }
    cv::Mat page;
    status = stitcher->composePanorama(page);
    if (status != cv::Stitcher::OK || page.empty()) {
      result.failure = failure_of(status);
      return result;
    }
    if (page.total() > static_cast<std::size_t>(max_pixels)) {
      result.too_large = true;
      result.claimed_pixels = page.total();
      result.failure = "the stitched page has " + std::to_string(page.total()) + " pixels, more than max_pixels (" +
                       std::to_string(max_pixels) + ")";
      return result;
    }
    result.page = any_colour ? page : grey_of(page);
    result.ok = true;
  } catch (const std::bad_alloc&) {
    result.too_large = true;
    result.failure = "out of memory while stitching";
  } catch (const cv::Exception& error) {
    result.failure = "the stitcher failed: " + std::string(error.err);
  }
  return result;
}

std::uint64_t stitch_working_bytes(std::uint64_t part_pixels_sum) {
  // The parts as BGR, their warped copies as 16-bit BGR and masks, the page as 16-bit
  // while composed and as 8-bit after: about 24 bytes per part pixel.
  return part_pixels_sum * 24;
}

}  // namespace lantai::decode
