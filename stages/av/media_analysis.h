// One audio or video file probed and decoded in full with FFmpeg's libraries
// (libavformat, libavcodec), in this process, a packet at a time: the file is never held
// in memory, whatever its length. What the container declares is set beside what the
// decoding found: the decoded duration, the decode errors and when they occur, and the
// stretches of black picture, frozen picture and silence, and clipped audio (DA/T 62-2017
// asks the picture and sound be whole and as recorded).
#pragma once

#include <opencv2/core.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace lantai::av {

struct VideoStream {
  std::string codec;    // FFmpeg's name: "h264", "mpeg2video", "ffv1" …
  std::string profile;  // "High 4:2:2", "Main" … (empty when the codec names none)
  int width = 0, height = 0;
  double frame_rate = 0;         // frames a second, as the stream declares it
  std::string aspect_ratio;      // display aspect, "4:3", "16:9" (reduced)
  std::string chroma;            // "4:2:0", "4:2:2", "4:4:4", "4:1:1" or "" (not YUV)
  int bit_depth = 0;             // of a luma sample
  double bit_rate_bps = 0;       // declared, or the stream's bytes over its duration
  bool interlaced = false;       // from the first decoded frame
};

struct AudioStream {
  std::string codec;  // "pcm_s24le", "aac", "mp2" …
  int sample_rate = 0;
  int bit_depth = 0;  // of a sample as coded (PCM) or decoded
  int channels = 0;
  double bit_rate_bps = 0;
};

struct Stretch {
  double start_s = 0, length_s = 0;
};

struct DecodeError {
  double at_s = 0;  // where in the recording (the packet's time)
  std::string message;
};

// What makes a stretch: a picture is black when nearly all its luma lies near black; frozen
// when it differs from the one before by less than a trace of noise; sound is silent in a
// window whose level stays below silence_dbfs.
struct AnalysisSettings {
  double black_luma = 0.10;         // of the luma range above black
  double black_share = 0.98;        // of the picture's samples at most black_luma
  double frozen_difference = 0.002; // mean absolute difference, of the luma range
  double silence_dbfs = -60;        // RMS over a window of 0.1 s
  double min_stretch_s = 0.5;       // shorter stretches are not reported
  std::size_t max_errors = 20;      // decode errors kept, the first ones (all are counted)
  // For the review page: this many pictures at even intervals (0: none), each this wide.
  int contact_frames = 0;
  int contact_width = 240;
  // Threads decoding the pictures of one recording (the sound decodes on the caller's).
  int decoder_threads = 1;
};

// A picture of a contact sheet: where it is in the recording, reduced, BGR.
struct ContactFrame {
  double at_s = 0;
  cv::Mat picture;
};

// The sound's envelope, a tenth of a second a step (longer steps past a day of sound): the
// lowest and highest sample of any channel, -1 to 1. At most 8 MB, whatever the length.
struct Envelope {
  std::vector<float> low, high;
};

struct MediaReport {
  std::string container;  // FFmpeg's demuxer name: "avi", "mxf", "wav", "mov,mp4,m4a,3gp,3g2,mj2" …
  double container_duration_s = 0;  // as the container declares it (0: none)
  double decoded_duration_s = 0;    // the longest stream as decoded
  double bit_rate_bps = 0;          // the container's
  std::optional<VideoStream> video;  // the first video stream (cover pictures are not video)
  std::vector<AudioStream> audio;
  long long video_frames = 0;
  std::vector<Stretch> black, frozen, silent;
  double clipped_share = 0;  // of the audio samples at full scale
  std::vector<ContactFrame> contact;  // when settings.contact_frames asks
  Envelope envelope;                  // of the first sound stream
  std::vector<DecodeError> errors;
  long long error_count = 0;
  bool ended_early = false;  // the file stopped inside a packet: truncated or damaged
};

// Receives the file's bytes in order, each once, all of them by the time analyse_media
// returns: the copy of the file made in the same read as its decoding.
using ByteSink = std::function<void(std::string_view bytes)>;

// Throws std::runtime_error naming the reason when the file cannot be opened as audio or
// video at all (not a container FFmpeg knows, no audio or video stream). copy: where the
// bytes go as they are read (the demuxer's reads in file order; what it skips, such as a
// stretch it seeks past, is read once more at the end).
MediaReport analyse_media(const std::filesystem::path& file, const AnalysisSettings& settings = {},
                          const ByteSink& copy = {});

}  // namespace lantai::av
