// av: checks an audio or video file against the profile (DA/T 62-2017 for preservation,
// or the registration guides' lighter backup target): the container and codecs allowed;
// picture size, frame rate, display aspect, chroma subsampling, bit depth and bit rate;
// sound sample rate, bit depth and channels; and, decoding the whole file
// (media_analysis.h), the length the container declares against what decodes, decode
// errors and where they occur, and black, frozen, silent or clipped stretches. The file
// itself is the deliverable, never changed: in the same read as its decoding it is copied
// byte for byte to WORK/av/<档号>/<serial>.<ext>, named by 档号 and capture order (DA/T
// 62), the entity the deposit carries.
#pragma once

#include <string>
#include <vector>

#include "pipeline/units.h"
#include "stages/av/media_analysis.h"

namespace lantai::av {

// A picture size a profile allows: exactly, or at least (1920x1080+).
struct FrameSize {
  int width = 0, height = 0;
  bool at_least = false;
};

struct AvSettings {
  std::vector<std::string> containers;        // FFmpeg demuxer names, for files with a picture
  std::vector<std::string> audio_containers;  // for sound alone
  std::vector<std::string> video_codecs;      // FFmpeg codec names; "pcm_*" matches by prefix
  std::vector<std::string> audio_codecs;
  std::vector<FrameSize> frame_sizes;
  std::vector<double> frame_rates;            // empty: any
  std::vector<std::string> aspect_ratios;     // empty: any
  std::vector<std::string> chroma;            // empty: any
  int min_bit_depth = 8;
  double min_sd_bit_rate_mbps = 8, min_hd_bit_rate_mbps = 16;  // HD: 720 lines or more
  double max_bit_rate_mbps = 0;                                // 0: no upper bound
  bool require_audio = true;
  int min_sample_rate = 44100;
  int min_audio_bit_depth = 24;
  int min_channels = 1;
  double duration_tolerance_s = 1;
  double max_black_s = 2, max_frozen_s = 5, max_silence_s = 5;
  double max_clipped_share = 0.001;
  AnalysisSettings analysis;
};

class AvStage : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& item) const override;

  const AvSettings& settings() const { return settings_; }

 private:
  AvSettings settings_;
  std::filesystem::path work_dir_;
};

}  // namespace lantai::av
