#include "stages/av/av_stage.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/jpeg_codec.h"

namespace lantai::av {

namespace {

// Defaults: DA/T 62-2017 for preservation (profiles/dat62-preservation.yaml says why each).
const TextParam kContainers{"containers", "avi,mxf", "containers a file with a picture may come in (FFmpeg demuxer names)"};
const TextParam kAudioContainers{"audio_containers", "wav", "containers a sound-only file may come in"};
const TextParam kVideoCodecs{"video_codecs", "h264,mpeg2video", "picture codecs allowed (FFmpeg names)"};
const TextParam kAudioCodecs{"audio_codecs", "pcm_*", "sound codecs allowed (FFmpeg names; pcm_* for any PCM)"};
const TextParam kFrameSizes{"frame_sizes", "720x576,1920x1080+",
                            "picture sizes allowed, WIDTHxHEIGHT, with + for that size or larger"};
const TextParam kFrameRates{"frame_rates", "", "frame rates allowed (frames a second); empty: any, as the original"};
const TextParam kAspectRatios{"aspect_ratios", "4:3,16:9", "display aspect ratios allowed; empty: any"};
const TextParam kChroma{"chroma", "4:2:2", "chroma subsampling allowed (4:2:0, 4:2:2, 4:4:4); empty: any"};
const IntegerParam kMinBitDepth{"min_bit_depth", "bits", 8, 16, 8, "least bits a picture sample"};
const NumberParam kMinSdBitRate{"min_sd_bit_rate_mbps", "Mbit/s", 0, 1000, 8, "least picture bit rate below 720 lines"};
const NumberParam kMinHdBitRate{"min_hd_bit_rate_mbps", "Mbit/s", 0, 1000, 16, "least picture bit rate at 720 lines or more"};
const NumberParam kMaxBitRate{"max_bit_rate_mbps", "Mbit/s", 0, 10000, 0, "most picture bit rate; 0: no bound"};
const FlagParam kRequireAudio{"require_audio", true, "a file with a picture must carry sound"};
const IntegerParam kMinSampleRate{"min_sample_rate_hz", "Hz", 8000, 384000, 44100, "least sound sample rate"};
const IntegerParam kMinAudioBitDepth{"min_audio_bit_depth", "bits", 8, 32, 24, "least bits a sound sample"};
const IntegerParam kMinChannels{"min_channels", "", 1, 64, 1, "least sound channels"};
const NumberParam kDurationTolerance{"duration_tolerance_s", "s", 0, 60, 1,
                                     "the decoded length may fall short of the declared one by this much"};
const NumberParam kMaxBlack{"max_black_s", "s", 0, 3600, 2, "longest black stretch of picture not reported"};
const NumberParam kMaxFrozen{"max_frozen_s", "s", 0, 3600, 5, "longest frozen stretch of picture not reported"};
const NumberParam kMaxSilence{"max_silence_s", "s", 0, 3600, 5, "longest silent stretch not reported"};
const NumberParam kSilenceLevel{"silence_dbfs", "dBFS", -120, 0, -60, "sound below this level (RMS over 0.1 s) is silence"};
const IntegerParam kContactFrames{"contact_frames", "", 0, 100, 12,
                                  "pictures on a video's contact sheet for review, at even intervals; 0: none"};
const NumberParam kMaxClipped{"max_clipped_share", "ratio", 0, 1, 0.001, "most share of sound samples at full scale"};

constexpr FindingCode kUnreadable{"av.unreadable", Severity::reject, "the file is not audio or video FFmpeg can read"};
constexpr FindingCode kContainer{"av.container", Severity::reject, "the container is not one the profile allows"};
constexpr FindingCode kVideoCodec{"av.video_codec", Severity::reject, "the picture codec is not one the profile allows"};
constexpr FindingCode kFrameSize{"av.frame_size", Severity::reject, "the picture size is not one the profile allows"};
constexpr FindingCode kFrameRate{"av.frame_rate", Severity::reject, "the frame rate is not one the profile allows"};
constexpr FindingCode kAspect{"av.aspect_ratio", Severity::reject, "the display aspect ratio is not one the profile allows"};
constexpr FindingCode kChromaCode{"av.chroma", Severity::reject, "the chroma subsampling is not one the profile allows"};
constexpr FindingCode kBitDepth{"av.bit_depth", Severity::reject, "fewer bits a picture sample than the profile asks"};
constexpr FindingCode kBitRate{"av.bit_rate", Severity::reject, "the picture bit rate is outside the profile's range"};
constexpr FindingCode kNoAudio{"av.no_audio", Severity::reject, "a file with a picture carries no sound"};
constexpr FindingCode kAudioCodec{"av.audio_codec", Severity::reject, "the sound codec is not one the profile allows"};
constexpr FindingCode kSampleRate{"av.sample_rate", Severity::reject, "the sound sample rate is below the profile's"};
constexpr FindingCode kAudioBitDepth{"av.audio_bit_depth", Severity::reject, "fewer bits a sound sample than the profile asks"};
constexpr FindingCode kChannels{"av.channels", Severity::reject, "fewer sound channels than the profile asks"};
constexpr FindingCode kShort{"av.duration_mismatch", Severity::reject,
                             "less decodes than the container declares: the file is truncated or damaged"};
constexpr FindingCode kDecodeError{"av.decode_error", Severity::reject, "the file has decode errors"};
constexpr FindingCode kBlack{"av.black", Severity::warn, "a black stretch of picture longer than the profile allows"};
constexpr FindingCode kFrozen{"av.frozen", Severity::warn, "a frozen stretch of picture longer than the profile allows"};
constexpr FindingCode kSilent{"av.silent", Severity::warn, "a silent stretch longer than the profile allows"};
constexpr FindingCode kClipped{"av.clipped", Severity::warn, "more sound samples at full scale than the profile allows"};

constexpr OutputInfo kAvFile{"av_file", OutputRole::entity,
                             "the recording itself, copied byte for byte in the read that checked it "
                             "(WORK/av/<档号>/<serial>.<ext>)"};

constexpr OutputInfo kContactSheet{"contact_sheet", OutputRole::work,
                                   "a video's pictures at even intervals with their time codes, for review "
                                   "(WORK/av/<档号>/<serial>.contact.jpg)"};
constexpr OutputInfo kWaveform{"waveform", OutputRole::work,
                               "a sound recording's waveform with a time scale, for review "
                               "(WORK/av/<档号>/<serial>.waveform.jpg)"};

constexpr MeasurementInfo kContainerM{"container", "the container as FFmpeg names it"};
constexpr MeasurementInfo kVideoCodecM{"video_codec", "the picture codec (and profile)"};
constexpr MeasurementInfo kFrameSizeM{"frame_size", "picture width x height in pixels"};
constexpr MeasurementInfo kFrameRateM{"frame_rate", "frames a second", true};
constexpr MeasurementInfo kAspectM{"aspect_ratio", "display aspect ratio"};
constexpr MeasurementInfo kChromaM{"chroma", "chroma subsampling"};
constexpr MeasurementInfo kBitDepthM{"bit_depth", "bits a picture sample", true};
constexpr MeasurementInfo kBitRateM{"video_bit_rate_mbps", "picture bit rate, Mbit/s"};
constexpr MeasurementInfo kScanM{"scan", "progressive or interlaced"};
constexpr MeasurementInfo kAudioCodecM{"audio_codec", "the first sound stream's codec"};
constexpr MeasurementInfo kSampleRateM{"sample_rate_hz", "the first sound stream's sample rate", true};
constexpr MeasurementInfo kAudioBitsM{"audio_bit_depth", "bits a sound sample", true};
constexpr MeasurementInfo kChannelsM{"audio_channels", "the first sound stream's channels", true};
constexpr MeasurementInfo kTracksM{"audio_tracks", "sound streams", true};
constexpr MeasurementInfo kDurationM{"duration_s", "length the container declares"};
constexpr MeasurementInfo kDecodedM{kDecodedSecondsMeasurement, "length that decodes"};  // the forms add them up
constexpr MeasurementInfo kBlackM{"black_s", "longest black stretch"};
constexpr MeasurementInfo kFrozenM{"frozen_s", "longest frozen stretch"};
constexpr MeasurementInfo kSilentM{"silent_s", "longest silent stretch"};
constexpr MeasurementInfo kClippedM{"clipped_share", "share of sound samples at full scale"};
constexpr MeasurementInfo kErrorsM{"decode_errors", "decode errors counted"};

bool allowed(const std::vector<std::string>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& entry) {
    if (!entry.empty() && entry.back() == '*') return name.compare(0, entry.size() - 1, entry, 0, entry.size() - 1) == 0;
    return entry == name;
  });
}

// FFmpeg names some demuxers by every container they read ("mov,mp4,m4a,3gp,3g2,mj2"):
// any of them allowed allows it.
bool container_allowed(const std::vector<std::string>& list, const std::string& demuxer) {
  for (const std::string& name : split_list(demuxer))
    if (allowed(list, name)) return true;
  return false;
}

std::string time_code(double seconds) {
  const long long tenths = std::llround(std::max(0.0, seconds) * 10);
  const long long total = tenths / 10;
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld.%01lld", total / 3600, total / 60 % 60, total % 60, tenths % 10);
  return text;
}

// ".avi" for "…/0001.AVI": the original's extension, lower case; none when it has none.
std::string extension_of(const std::string& rel_path) {
  const auto slash = rel_path.rfind('/');
  const auto dot = rel_path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return ascii_lower(rel_path.substr(dot));
}

// The contact sheet: the pictures four to a row, each with its time code beneath.
cv::Mat contact_sheet(const std::vector<ContactFrame>& frames) {
  constexpr int kColumns = 4, kGap = 8, kCaption = 22;
  const cv::Size cell = frames.front().picture.size();
  const int rows = (static_cast<int>(frames.size()) + kColumns - 1) / kColumns;
  cv::Mat sheet(kGap + rows * (cell.height + kCaption + kGap), kGap + kColumns * (cell.width + kGap), CV_8UC3,
                cv::Scalar(40, 40, 40));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const int x = kGap + static_cast<int>(i % kColumns) * (cell.width + kGap);
    const int y = kGap + static_cast<int>(i / kColumns) * (cell.height + kCaption + kGap);
    frames[i].picture.copyTo(sheet(cv::Rect(x, y, cell.width, cell.height)));
    cv::putText(sheet, time_code(frames[i].at_s), {x + 2, y + cell.height + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
                cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
  }
  return sheet;
}

// The waveform: each column the lowest and highest sample of its stretch of the
// recording, over a scale marked every tenth of the length.
cv::Mat waveform(const Envelope& envelope, double length_s) {
  constexpr int kWidth = 1200, kHeight = 160, kScale = 20;
  cv::Mat image(kHeight + kScale, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  const int mid = kHeight / 2;
  cv::line(image, {0, mid}, {kWidth - 1, mid}, cv::Scalar(200, 200, 200));
  const std::size_t steps = envelope.low.size();
  for (int x = 0; x < kWidth && steps > 0; ++x) {
    const std::size_t from = steps * x / kWidth, to = std::max(from + 1, steps * (x + 1) / kWidth);
    float low = 1, high = -1;
    for (std::size_t i = from; i < to && i < steps; ++i) {
      low = std::min(low, envelope.low[i]);
      high = std::max(high, envelope.high[i]);
    }
    if (high < low) continue;
    cv::line(image, {x, mid - static_cast<int>(high * (mid - 2))}, {x, mid - static_cast<int>(low * (mid - 2))},
             cv::Scalar(140, 70, 20));
  }
  for (int tick = 0; tick <= 10; ++tick) {
    const int x = std::min(kWidth - 1, tick * kWidth / 10);
    cv::line(image, {x, kHeight}, {x, kHeight + 5}, cv::Scalar(0, 0, 0));
    if (tick < 10)
      cv::putText(image, time_code(length_s * tick / 10), {x + 3, kHeight + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
                  cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  return image;
}

const Stretch* longest(const std::vector<Stretch>& stretches) {
  const Stretch* best = nullptr;
  for (const Stretch& stretch : stretches)
    if (!best || stretch.length_s > best->length_s) best = &stretch;
  return best;
}

}  // namespace

StageInfo AvStage::describe() const {
  return {"av",
          "Checks an audio or video file against the profile (DA/T 62-2017): container, codecs, picture and sound "
          "parameters, and the whole file decoded for errors, truncation, black, frozen, silent or clipped stretches.",
          "1",
          {kContainers.info(), kAudioContainers.info(), kVideoCodecs.info(), kAudioCodecs.info(), kFrameSizes.info(),
           kFrameRates.info(), kAspectRatios.info(), kChroma.info(), kMinBitDepth.info(), kMinSdBitRate.info(),
           kMinHdBitRate.info(), kMaxBitRate.info(), kRequireAudio.info(), kMinSampleRate.info(),
           kMinAudioBitDepth.info(), kMinChannels.info(), kDurationTolerance.info(), kMaxBlack.info(),
           kMaxFrozen.info(), kMaxSilence.info(), kSilenceLevel.info(), kMaxClipped.info(), kContactFrames.info()},
          {kUnreadable, kContainer, kVideoCodec, kFrameSize, kFrameRate, kAspect, kChromaCode, kBitDepth, kBitRate,
           kNoAudio, kAudioCodec, kSampleRate, kAudioBitDepth, kChannels, kShort, kDecodeError, kBlack, kFrozen,
           kSilent, kClipped},
          {kContainerM, kVideoCodecM, kFrameSizeM, kFrameRateM, kAspectM, kChromaM, kBitDepthM, kBitRateM, kScanM,
           kAudioCodecM, kSampleRateM, kAudioBitsM, kChannelsM, kTracksM, kDurationM, kDecodedM, kBlackM, kFrozenM,
           kSilentM, kClippedM, kErrorsM},
          {kAvFile, kContactSheet, kWaveform},
          false};
}

void AvStage::setup(ProfileSection& section, const StageContext& context) {
  work_dir_ = context.work_dir;
  AvSettings s;
  s.containers = split_list(section.get(kContainers));
  s.audio_containers = split_list(section.get(kAudioContainers));
  s.video_codecs = split_list(section.get(kVideoCodecs));
  s.audio_codecs = split_list(section.get(kAudioCodecs));
  for (const std::string& size : split_list(section.get(kFrameSizes))) {
    FrameSize parsed;
    char plus = 0;
    const int fields = std::sscanf(size.c_str(), "%dx%d%c", &parsed.width, &parsed.height, &plus);
    if (fields < 2 || parsed.width <= 0 || parsed.height <= 0 || (fields == 3 && plus != '+'))
      throw ProfileError(section.name() + ".frame_sizes: '" + size + "' is not WIDTHxHEIGHT or WIDTHxHEIGHT+");
    parsed.at_least = fields == 3;
    s.frame_sizes.push_back(parsed);
  }
  for (const std::string& rate : split_list(section.get(kFrameRates))) {
    char* end = nullptr;
    const double value = std::strtod(rate.c_str(), &end);
    if (*end != '\0' || !(value > 0)) throw ProfileError(section.name() + ".frame_rates: '" + rate + "' is not a number");
    s.frame_rates.push_back(value);
  }
  s.aspect_ratios = split_list(section.get(kAspectRatios));
  s.chroma = split_list(section.get(kChroma));
  s.min_bit_depth = static_cast<int>(section.get(kMinBitDepth));
  s.min_sd_bit_rate_mbps = section.get(kMinSdBitRate);
  s.min_hd_bit_rate_mbps = section.get(kMinHdBitRate);
  s.max_bit_rate_mbps = section.get(kMaxBitRate);
  s.require_audio = section.get(kRequireAudio);
  s.min_sample_rate = static_cast<int>(section.get(kMinSampleRate));
  s.min_audio_bit_depth = static_cast<int>(section.get(kMinAudioBitDepth));
  s.min_channels = static_cast<int>(section.get(kMinChannels));
  s.duration_tolerance_s = section.get(kDurationTolerance);
  s.max_black_s = section.get(kMaxBlack);
  s.max_frozen_s = section.get(kMaxFrozen);
  s.max_silence_s = section.get(kMaxSilence);
  s.analysis.silence_dbfs = section.get(kSilenceLevel);
  s.max_clipped_share = section.get(kMaxClipped);
  s.analysis.contact_frames = static_cast<int>(section.get(kContactFrames));
  // A second decoding thread per recording when the run has two (--jobs): H.264 decodes
  // half as fast on one, and a long recording is often the last item in flight. What is
  // found does not depend on it, so it is no setting of the profile.
  s.analysis.decoder_threads = std::clamp(context.jobs, 1, 2);
  // Stretches shorter than the least the profile reports are not worth tracking.
  s.analysis.min_stretch_s = std::max(0.2, std::min({s.max_black_s, s.max_frozen_s, s.max_silence_s}));
  section.finish();
  settings_ = std::move(s);
}

Outcome AvStage::process(const Item& item) const {
  Outcome outcome;
  const AvSettings& s = settings_;
  MediaReport report;
  std::optional<OutputFile> copy;
  if (!work_dir_.empty())
    copy.emplace(work_dir_, "av/" + item.record_ref + "/" + item.serial() + extension_of(item.rel_path),
                 std::string(kAvFile.kind), OutputFile::Digests::manifests);
  try {
    report = analyse_media(item.source, s.analysis, [&](std::string_view bytes) {
      if (copy) copy->write(bytes);
    });
  } catch (const std::exception& error) {
    outcome.add(kUnreadable(item.rel_path + ": " + error.what()));
    return outcome;
  }
  if (copy) outcome.outputs.push_back(copy->commit());
  const std::string stem = "av/" + item.record_ref + "/" + item.serial();
  if (!work_dir_.empty() && !report.contact.empty())
    outcome.outputs.push_back(write_output(work_dir_, stem + ".contact.jpg",
                                           encode_jpeg(contact_sheet(report.contact), 85, std::nullopt),
                                           std::string(kContactSheet.kind)));
  if (!work_dir_.empty() && !report.video && !report.envelope.low.empty())
    outcome.outputs.push_back(write_output(work_dir_, stem + ".waveform.jpg",
                                           encode_jpeg(waveform(report.envelope, report.decoded_duration_s), 90,
                                                       std::nullopt),
                                           std::string(kWaveform.kind)));
  Measurements& m = outcome.measurements;
  m.set(kContainerM.name, report.container);
  m.set(kDurationM.name, report.container_duration_s);
  m.set(kDecodedM.name, report.decoded_duration_s);
  m.set(kErrorsM.name, static_cast<double>(report.error_count));
  const std::string& name = item.rel_path;

  const bool sound_only = !report.video;
  const std::vector<std::string>& containers = sound_only ? s.audio_containers : s.containers;
  if (!container_allowed(containers, report.container))
    outcome.add(kContainer(name + ": the container is " + report.container + (sound_only ? " (sound only)" : "") +
                               "; the profile allows " + join_list(containers),
                           report.container, join_list(containers)));

  if (const auto& v = report.video) {
    const std::string codec = v->codec + (v->profile.empty() ? "" : " (" + v->profile + ")");
    m.set(kVideoCodecM.name, codec);
    const std::string size = std::to_string(v->width) + "x" + std::to_string(v->height);
    m.set(kFrameSizeM.name, size);
    m.set(kFrameRateM.name, v->frame_rate);
    m.set(kAspectM.name, v->aspect_ratio);
    m.set(kChromaM.name, v->chroma);
    m.set(kBitDepthM.name, static_cast<double>(v->bit_depth));
    m.set(kBitRateM.name, v->bit_rate_bps / 1e6);
    m.set(kScanM.name, std::string(v->interlaced ? "interlaced" : "progressive"));
    if (!allowed(s.video_codecs, v->codec))
      outcome.add(kVideoCodec(name + ": the picture is " + codec + "; the profile allows " + join_list(s.video_codecs),
                              v->codec, join_list(s.video_codecs)));
    const bool size_allowed = s.frame_sizes.empty() ||
                              std::any_of(s.frame_sizes.begin(), s.frame_sizes.end(), [&](const FrameSize& f) {
                                return f.at_least ? v->width >= f.width && v->height >= f.height
                                                  : v->width == f.width && v->height == f.height;
                              });
    if (!size_allowed) {
      std::string sizes;
      for (const FrameSize& f : s.frame_sizes)
        sizes += (sizes.empty() ? "" : ", ") + std::to_string(f.width) + "x" + std::to_string(f.height) + (f.at_least ? "+" : "");
      outcome.add(kFrameSize(name + ": the picture is " + size + "; the profile allows " + sizes, size, sizes));
    }
    if (!s.frame_rates.empty() && std::none_of(s.frame_rates.begin(), s.frame_rates.end(), [&](double rate) {
          return std::abs(rate - v->frame_rate) < 0.01;
        })) {
      std::string rates;
      for (double rate : s.frame_rates) rates += (rates.empty() ? "" : ", ") + Measurements::format(rate);
      outcome.add(kFrameRate(name + ": " + fixed(v->frame_rate, 3) + " frames a second; the profile allows " + rates,
                             fixed(v->frame_rate, 3), rates));
    }
    if (!s.aspect_ratios.empty() && !allowed(s.aspect_ratios, v->aspect_ratio))
      outcome.add(kAspect(name + ": the display aspect is " + v->aspect_ratio + "; the profile allows " +
                              join_list(s.aspect_ratios),
                          v->aspect_ratio, join_list(s.aspect_ratios)));
    if (!s.chroma.empty() && !allowed(s.chroma, v->chroma))
      outcome.add(kChromaCode(name + ": chroma " + (v->chroma.empty() ? "not YUV" : v->chroma) + "; the profile allows " +
                                  join_list(s.chroma),
                              v->chroma, join_list(s.chroma)));
    if (v->bit_depth < s.min_bit_depth)
      outcome.add(kBitDepth(name + ": " + std::to_string(v->bit_depth) + " bits a sample, below " +
                                std::to_string(s.min_bit_depth),
                            std::to_string(v->bit_depth), std::to_string(s.min_bit_depth)));
    const double mbps = v->bit_rate_bps / 1e6;
    const double least = v->height >= 720 ? s.min_hd_bit_rate_mbps : s.min_sd_bit_rate_mbps;
    if (mbps + 1e-9 < least)
      outcome.add(kBitRate(name + ": the picture's bit rate is " + fixed(mbps, 2) + " Mbit/s, below " + fixed(least, 2) +
                               (v->height >= 720 ? " (HD)" : " (SD)"),
                           fixed(mbps, 2), fixed(least, 2)));
    if (s.max_bit_rate_mbps > 0 && mbps > s.max_bit_rate_mbps)
      outcome.add(kBitRate(name + ": the picture's bit rate is " + fixed(mbps, 2) + " Mbit/s, above " +
                               fixed(s.max_bit_rate_mbps, 2),
                           fixed(mbps, 2), fixed(s.max_bit_rate_mbps, 2)));
    if (report.audio.empty() && s.require_audio)
      outcome.add(kNoAudio(name + ": the file carries no sound stream"));
    const Stretch* black = longest(report.black);
    m.set(kBlackM.name, black ? black->length_s : 0.0);
    if (black && black->length_s > s.max_black_s)
      outcome.add(kBlack(name + ": black picture for " + fixed(black->length_s, 1) + " s from " + time_code(black->start_s),
                         fixed(black->length_s, 1), fixed(s.max_black_s, 1)));
    const Stretch* frozen = longest(report.frozen);
    m.set(kFrozenM.name, frozen ? frozen->length_s : 0.0);
    if (frozen && frozen->length_s > s.max_frozen_s)
      outcome.add(kFrozen(name + ": the picture stands still for " + fixed(frozen->length_s, 1) + " s from " +
                              time_code(frozen->start_s),
                          fixed(frozen->length_s, 1), fixed(s.max_frozen_s, 1)));
  }

  if (!report.audio.empty()) {
    m.set(kTracksM.name, static_cast<double>(report.audio.size()));
    const AudioStream& a = report.audio.front();
    m.set(kAudioCodecM.name, a.codec);
    m.set(kSampleRateM.name, static_cast<double>(a.sample_rate));
    m.set(kAudioBitsM.name, static_cast<double>(a.bit_depth));
    m.set(kChannelsM.name, static_cast<double>(a.channels));
    for (const AudioStream& track : report.audio) {
      if (!allowed(s.audio_codecs, track.codec))
        outcome.add(kAudioCodec(name + ": the sound is " + track.codec + "; the profile allows " + join_list(s.audio_codecs),
                                track.codec, join_list(s.audio_codecs)));
      if (track.sample_rate < s.min_sample_rate)
        outcome.add(kSampleRate(name + ": sound sampled at " + std::to_string(track.sample_rate) + " Hz, below " +
                                    std::to_string(s.min_sample_rate),
                                std::to_string(track.sample_rate), std::to_string(s.min_sample_rate)));
      if (track.bit_depth < s.min_audio_bit_depth)
        outcome.add(kAudioBitDepth(name + ": " + std::to_string(track.bit_depth) + " bits a sound sample, below " +
                                       std::to_string(s.min_audio_bit_depth),
                                   std::to_string(track.bit_depth), std::to_string(s.min_audio_bit_depth)));
      if (track.channels < s.min_channels)
        outcome.add(kChannels(name + ": " + std::to_string(track.channels) + " sound channels, below " +
                                  std::to_string(s.min_channels),
                              std::to_string(track.channels), std::to_string(s.min_channels)));
    }
    const Stretch* silent = longest(report.silent);
    m.set(kSilentM.name, silent ? silent->length_s : 0.0);
    if (silent && silent->length_s > s.max_silence_s)
      outcome.add(kSilent(name + ": silence for " + fixed(silent->length_s, 1) + " s from " + time_code(silent->start_s),
                          fixed(silent->length_s, 1), fixed(s.max_silence_s, 1)));
    m.set(kClippedM.name, report.clipped_share);
    if (report.clipped_share > s.max_clipped_share)
      outcome.add(kClipped(name + ": " + fixed(report.clipped_share * 100, 2) + "% of the sound samples at full scale",
                           fixed(report.clipped_share, 4), fixed(s.max_clipped_share, 4)));
  }

  if (report.container_duration_s > 0 &&
      report.decoded_duration_s + s.duration_tolerance_s < report.container_duration_s)
    outcome.add(kShort(name + ": the container declares " + fixed(report.container_duration_s, 2) + " s but " +
                           fixed(report.decoded_duration_s, 2) + " s decode" + (report.ended_early ? " (the file ends early)" : ""),
                       fixed(report.decoded_duration_s, 2), fixed(report.container_duration_s, 2)));
  else if (report.ended_early)
    outcome.add(kShort(name + ": the file ends inside a packet at " + time_code(report.decoded_duration_s),
                       fixed(report.decoded_duration_s, 2), fixed(report.container_duration_s, 2)));
  if (report.error_count > 0) {
    const DecodeError& first = report.errors.front();
    outcome.add(kDecodeError(name + ": " + std::to_string(report.error_count) + " decode error" +
                                 (report.error_count == 1 ? "" : "s") + ", the first at " + time_code(first.at_s) + ": " +
                                 first.message,
                             std::to_string(report.error_count), "0"));
  }
  return outcome;
}

}  // namespace lantai::av
