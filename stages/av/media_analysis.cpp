#include "stages/av/media_analysis.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libavutil/rational.h>
#include <libavutil/samplefmt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace lantai::av {

namespace {

std::string error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// FFmpeg reports decode errors through its log, not its return codes alone. Each
// analysis collects the messages logged for it, and FFmpeg's printing to stderr is off:
// lantai prints its own one-line findings. The demuxer logs on the analysis's thread; a
// decoder's own frame threads log with their copies of its context, whose opaque points
// to the collector.
class LogCollector {
 public:
  void add(std::string message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(messages_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
};
thread_local LogCollector* t_collector = nullptr;

void on_log(void* context, int level, const char* format, va_list args) {
  if (level > AV_LOG_ERROR) return;
  LogCollector* collector = t_collector;
  if (context && *static_cast<const AVClass* const*>(context) == avcodec_get_class())
    if (void* opaque = static_cast<const AVCodecContext*>(context)->opaque) collector = static_cast<LogCollector*>(opaque);
  if (!collector) return;
  char line[512];
  int print_prefix = 1;
  av_log_format_line2(context, level, format, args, line, sizeof line, &print_prefix);
  std::string message(line);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!message.empty()) collector->add(std::move(message));
}

void install_log_callback() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(on_log); });
}

struct FormatCloser {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecCloser {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct PacketFree {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct FrameFree {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};

// A run of frames or windows that meet a condition, reported when long enough.
class StretchTracker {
 public:
  explicit StretchTracker(double min_length_s) : min_length_s_(min_length_s) {}
  void observe(bool in_stretch, double start_s, double end_s, std::vector<Stretch>& out) {
    if (in_stretch) {
      if (!open_) start_ = start_s;
      open_ = true;
      end_ = end_s;
    } else {
      close(out);
    }
  }
  void close(std::vector<Stretch>& out) {
    if (open_ && end_ - start_ >= min_length_s_) out.push_back({start_, end_ - start_});
    open_ = false;
  }

 private:
  double min_length_s_;
  bool open_ = false;
  double start_ = 0, end_ = 0;
};

std::string aspect_text(int width, int height, AVRational sample_aspect) {
  if (sample_aspect.num <= 0 || sample_aspect.den <= 0) sample_aspect = {1, 1};
  const double display = static_cast<double>(width) * sample_aspect.num / (static_cast<double>(height) * sample_aspect.den);
  for (const auto& [num, den] : {std::pair{4, 3}, std::pair{16, 9}, std::pair{1, 1}, std::pair{21, 9}})
    if (std::abs(display - static_cast<double>(num) / den) < 0.02) return std::to_string(num) + ":" + std::to_string(den);
  int num = 0, den = 0;
  av_reduce(&num, &den, static_cast<std::int64_t>(width) * sample_aspect.num,
            static_cast<std::int64_t>(height) * sample_aspect.den, 1000);
  return std::to_string(num) + ":" + std::to_string(den);
}

std::string chroma_text(const AVPixFmtDescriptor* desc) {
  if (!desc || (desc->flags & AV_PIX_FMT_FLAG_RGB)) return "";
  if (desc->nb_components < 3) return "4:0:0";
  if (desc->log2_chroma_w == 1 && desc->log2_chroma_h == 1) return "4:2:0";
  if (desc->log2_chroma_w == 1 && desc->log2_chroma_h == 0) return "4:2:2";
  if (desc->log2_chroma_w == 0 && desc->log2_chroma_h == 0) return "4:4:4";
  if (desc->log2_chroma_w == 2 && desc->log2_chroma_h == 0) return "4:1:1";
  return "";
}

// The luma of a decoded picture, every fourth sample each way: enough to tell black or
// frozen pictures, at a sixteenth of the work.
class PictureWatch {
 public:
  PictureWatch(const AnalysisSettings& settings, MediaReport& report)
      : settings_(settings), report_(report), black_(settings.min_stretch_s), frozen_(settings.min_stretch_s) {}

  void observe(const AVFrame& frame, double start_s, double length_s) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame.format));
    if (!desc || (desc->flags & AV_PIX_FMT_FLAG_RGB) || (desc->flags & AV_PIX_FMT_FLAG_HWACCEL)) return;
    const int depth = desc->comp[0].depth;
    const bool wide = desc->comp[0].step > 1 || depth > 8;
    const double full = (1 << depth) - 1;
    const bool full_range = frame.color_range == AVCOL_RANGE_JPEG;
    const double black = full_range ? 0 : 16.0 * (1 << (depth - 8));
    const double white = full_range ? full : 235.0 * (1 << (depth - 8));
    const double black_limit = black + settings_.black_luma * (white - black);
    constexpr int kStep = 4;
    samples_.clear();
    long long dark = 0;
    for (int y = 0; y < frame.height; y += kStep) {
      const std::uint8_t* row = frame.data[0] + static_cast<std::ptrdiff_t>(y) * frame.linesize[0];
      for (int x = 0; x < frame.width; x += kStep) {
        const int value = wide ? reinterpret_cast<const std::uint16_t*>(row)[x] : row[x];
        samples_.push_back(static_cast<std::uint16_t>(value));
        if (value <= black_limit) ++dark;
      }
    }
    if (samples_.empty()) return;
    const bool is_black = static_cast<double>(dark) >= settings_.black_share * static_cast<double>(samples_.size());
    black_.observe(is_black, start_s, start_s + length_s, report_.black);
    bool is_frozen = false;
    if (previous_.size() == samples_.size()) {
      double difference = 0;
      for (std::size_t i = 0; i < samples_.size(); ++i)
        difference += std::abs(static_cast<int>(samples_[i]) - static_cast<int>(previous_[i]));
      is_frozen = difference / static_cast<double>(samples_.size()) < settings_.frozen_difference * (white - black);
    }
    // A frozen stretch starts with the picture that the next ones repeat.
    frozen_.observe(is_frozen, previous_start_, start_s + length_s, report_.frozen);
    previous_.swap(samples_);
    previous_start_ = start_s;
  }

  void finish() {
    black_.close(report_.black);
    frozen_.close(report_.frozen);
  }

 private:
  const AnalysisSettings& settings_;
  MediaReport& report_;
  StretchTracker black_, frozen_;
  std::vector<std::uint16_t> samples_, previous_;
  double previous_start_ = 0;
};

// Sound level in windows of a tenth of a second, all channels together, and the share
// of samples at full scale.
class SoundWatch {
 public:
  SoundWatch(const AnalysisSettings& settings, MediaReport& report, int sample_rate, Envelope* envelope)
      : settings_(settings), report_(report), envelope_(envelope), silence_(settings.min_stretch_s),
        window_samples_(std::max(1, sample_rate / 10)), sample_rate_(std::max(1, sample_rate)) {}

  void observe(const AVFrame& frame) {
    const auto format = static_cast<AVSampleFormat>(frame.format);
    const int channels = frame.ch_layout.nb_channels;
    const bool planar = av_sample_fmt_is_planar(format);
    const AVSampleFormat packed = av_get_packed_sample_fmt(format);
    for (int i = 0; i < frame.nb_samples; ++i) {
      for (int c = 0; c < channels; ++c) {
        const std::uint8_t* plane = frame.extended_data[planar ? c : 0];
        const int index = planar ? i : i * channels + c;
        double value = 0;
        bool at_full_scale = false;
        switch (packed) {
          case AV_SAMPLE_FMT_U8: {
            const int v = plane[index];
            value = (v - 128) / 128.0;
            at_full_scale = v == 0 || v == 255;
            break;
          }
          case AV_SAMPLE_FMT_S16: {
            const int v = reinterpret_cast<const std::int16_t*>(plane)[index];
            value = v / 32768.0;
            at_full_scale = v == std::numeric_limits<std::int16_t>::max() || v == std::numeric_limits<std::int16_t>::min();
            break;
          }
          case AV_SAMPLE_FMT_S32: {
            // 24-bit PCM decodes into the top bits of 32: full scale is its top, less the low byte.
            const std::int32_t v = reinterpret_cast<const std::int32_t*>(plane)[index];
            value = v / 2147483648.0;
            at_full_scale = v >= 0x7FFFFF00 || v <= std::numeric_limits<std::int32_t>::min() + 0xFF;
            break;
          }
          case AV_SAMPLE_FMT_FLT: value = reinterpret_cast<const float*>(plane)[index]; break;
          case AV_SAMPLE_FMT_DBL: value = reinterpret_cast<const double*>(plane)[index]; break;
          default: return;  // 64-bit integers: no recorder writes them
        }
        if (packed == AV_SAMPLE_FMT_FLT || packed == AV_SAMPLE_FMT_DBL) at_full_scale = std::abs(value) >= 0.9999;
        sum_squares_ += value * value;
        low_ = std::min(low_, value);
        high_ = std::max(high_, value);
        ++window_values_;
        ++samples_;
        if (at_full_scale) ++clipped_;
      }
      if (++window_fill_ == window_samples_) close_window();
    }
  }

  void finish() {
    if (window_fill_ > 0) close_window();
    if (envelope_ && step_fill_ > 0) {  // the last step, part filled
      envelope_->low.push_back(static_cast<float>(std::max(-1.0, step_low_)));
      envelope_->high.push_back(static_cast<float>(std::min(1.0, step_high_)));
    }
    silence_.close(report_.silent);
    if (samples_ > 0) report_.clipped_share = std::max(report_.clipped_share, static_cast<double>(clipped_) / samples_);
  }

  double seconds() const { return static_cast<double>(decoded_) / sample_rate_; }

 private:
  void close_window() {
    const double rms = window_values_ > 0 ? std::sqrt(sum_squares_ / window_values_) : 0;
    const double dbfs = rms > 0 ? 20 * std::log10(rms) : -200;
    const double start = static_cast<double>(decoded_) / sample_rate_;
    decoded_ += window_fill_;
    silence_.observe(dbfs < settings_.silence_dbfs, start, static_cast<double>(decoded_) / sample_rate_, report_.silent);
    if (envelope_) add_to_envelope();
    low_ = 1;
    high_ = -1;
    sum_squares_ = 0;
    window_values_ = 0;
    window_fill_ = 0;
  }

  // One window into the envelope. Past kMaxEnvelopeSteps (a day of sound) neighbouring
  // steps are merged and each step covers twice the windows: memory stays bounded
  // whatever the recording's length.
  void add_to_envelope() {
    static constexpr std::size_t kMaxEnvelopeSteps = std::size_t{1} << 20;
    step_low_ = std::min(step_low_, low_);
    step_high_ = std::max(step_high_, high_);
    if (++step_fill_ < windows_per_step_) return;
    envelope_->low.push_back(static_cast<float>(std::max(-1.0, step_low_)));
    envelope_->high.push_back(static_cast<float>(std::min(1.0, step_high_)));
    step_low_ = 1;
    step_high_ = -1;
    step_fill_ = 0;
    if (envelope_->low.size() < kMaxEnvelopeSteps) return;
    for (std::size_t i = 0; i < envelope_->low.size() / 2; ++i) {
      envelope_->low[i] = std::min(envelope_->low[2 * i], envelope_->low[2 * i + 1]);
      envelope_->high[i] = std::max(envelope_->high[2 * i], envelope_->high[2 * i + 1]);
    }
    envelope_->low.resize(envelope_->low.size() / 2);
    envelope_->high.resize(envelope_->high.size() / 2);
    windows_per_step_ *= 2;
  }

  const AnalysisSettings& settings_;
  MediaReport& report_;
  Envelope* envelope_;  // null: not kept (a second sound stream)
  long long windows_per_step_ = 1, step_fill_ = 0;
  double step_low_ = 1, step_high_ = -1;
  StretchTracker silence_;
  int window_samples_, sample_rate_;
  int window_fill_ = 0;
  long long window_values_ = 0, decoded_ = 0, samples_ = 0, clipped_ = 0;
  double sum_squares_ = 0;
  double low_ = 1, high_ = -1;
};

// Pictures for the contact sheet, at even intervals of the declared length, reduced with
// libswscale (any pixel format to BGR, the display aspect kept).
class ContactPictures {
 public:
  ContactPictures(const AnalysisSettings& settings, MediaReport& report, double length_s, double display_aspect)
      : report_(report), count_(settings.contact_frames), width_(settings.contact_width),
        height_(std::max(2, static_cast<int>(std::lround(settings.contact_width / display_aspect)) & ~1)),
        length_s_(length_s > 0 ? length_s : 10.0 * settings.contact_frames) {}
  ~ContactPictures() { sws_freeContext(scaler_); }
  ContactPictures(const ContactPictures&) = delete;
  ContactPictures& operator=(const ContactPictures&) = delete;

  void observe(const AVFrame& frame, double start_s) {
    if (next_ >= count_ || start_s < (next_ + 0.5) * length_s_ / count_) return;
    scaler_ = sws_getCachedContext(scaler_, frame.width, frame.height, static_cast<AVPixelFormat>(frame.format), width_,
                                   height_, AV_PIX_FMT_BGR24, SWS_AREA, nullptr, nullptr, nullptr);
    if (!scaler_) return;
    cv::Mat picture(height_, width_, CV_8UC3);
    std::uint8_t* planes[] = {picture.data, nullptr, nullptr, nullptr};
    const int strides[] = {static_cast<int>(picture.step), 0, 0, 0};
    sws_scale(scaler_, frame.data, frame.linesize, 0, frame.height, planes, strides);
    report_.contact.push_back({start_s, picture});
    // A stretch longer than an interval (a gap in the timestamps) moves on past it.
    while (next_ < count_ && start_s >= (next_ + 0.5) * length_s_ / count_) ++next_;
  }

 private:
  MediaReport& report_;
  int count_, width_, height_;
  double length_s_;
  int next_ = 0;
  SwsContext* scaler_ = nullptr;
};

// One stream being decoded.
struct Decoder {
  AVStream* stream = nullptr;
  std::unique_ptr<AVCodecContext, CodecCloser> codec;
  std::unique_ptr<PictureWatch> picture;
  std::unique_ptr<ContactPictures> contact;
  std::unique_ptr<SoundWatch> sound;
  long long bytes = 0;
  double end_s = 0;  // of the last decoded picture
  double start_s = std::numeric_limits<double>::quiet_NaN();
  bool interlaced_known = false;
};

// The file as FFmpeg reads it, through our own reads: what is read at the copy's frontier
// goes on to the copy, so a file that streams in order is read once for both.
class FileSource {
 public:
  FileSource(const std::filesystem::path& file, const ByteSink& copy) : copy_(copy) {
    fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open it: ") + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      const int error = errno;
      ::close(fd_);
      throw std::runtime_error(std::string("cannot read it: ") + std::strerror(error));
    }
    size_ = info.st_size;
  }
  ~FileSource() { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::int64_t size() const { return size_; }
  // Up to n bytes at offset, outside the demuxer's reads (not passed on to the copy).
  std::string peek(std::int64_t offset, std::size_t n) const {
    std::string bytes(n, '\0');
    const ssize_t got = offset < 0 ? -1 : ::pread(fd_, bytes.data(), n, offset);
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
  }

  static int read(void* opaque, std::uint8_t* buffer, int size) {
    auto* source = static_cast<FileSource*>(opaque);
    const ssize_t n = ::pread(source->fd_, buffer, static_cast<std::size_t>(size), source->position_);
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    source->pass_on(reinterpret_cast<const char*>(buffer), source->position_, n);
    source->position_ += n;
    return static_cast<int>(n);
  }
  static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* source = static_cast<FileSource*>(opaque);
    if (whence & AVSEEK_SIZE) return source->size_;
    whence &= ~AVSEEK_FORCE;
    const std::int64_t base = whence == SEEK_CUR ? source->position_ : whence == SEEK_END ? source->size_ : 0;
    if (base + offset < 0) return AVERROR(EINVAL);
    source->position_ = base + offset;
    return source->position_;
  }

  // Whatever the demuxer never read, or read out of order, read now in order.
  void finish_copy() {
    if (!copy_) return;
    std::string chunk(1 << 20, '\0');
    while (copied_ < size_) {
      const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), copied_);
      if (n <= 0) throw std::runtime_error(std::string("cannot read it to the end: ") + std::strerror(n < 0 ? errno : EIO));
      pass_on(chunk.data(), copied_, n);
    }
  }

 private:
  void pass_on(const char* bytes, std::int64_t at, std::int64_t count) {
    if (!copy_ || at > copied_ || at + count <= copied_) return;
    const std::int64_t skip = copied_ - at;
    copy_(std::string_view(bytes + skip, static_cast<std::size_t>(count - skip)));
    copied_ = at + count;
  }

  const ByteSink& copy_;
  int fd_ = -1;
  std::int64_t size_ = 0, position_ = 0, copied_ = 0;
};

struct IoFree {
  void operator()(AVIOContext* io) const {
    if (io) av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

constexpr std::int64_t kMaxPicturePixels = std::int64_t{8192} * 4352;

double seconds_of(std::int64_t timestamp, AVRational time_base) {
  return timestamp == AV_NOPTS_VALUE ? std::numeric_limits<double>::quiet_NaN() : timestamp * av_q2d(time_base);
}

}  // namespace

namespace {

std::uint64_t little_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = value << 8 | static_cast<unsigned char>(bytes[i]);
  return value;
}

// The length a WAV's header declares: its data chunk's size over the fmt chunk's bytes a
// second. FFmpeg's WAV demuxer shortens the duration to what the file holds, so a WAV cut
// short would otherwise decode to the length it "declares". RF64 gives the size in its
// ds64 chunk. 0 when the header does not say (a size left unknown by a streaming writer).
double declared_wav_seconds(const FileSource& source) {
  const std::string head = source.peek(0, 12);
  if (head.size() < 12 || head.compare(8, 4, "WAVE") != 0) return 0;
  const bool rf64 = head.compare(0, 4, "RF64") == 0;
  std::uint64_t byte_rate = 0, ds64_data_size = 0;
  std::int64_t at = 12;
  for (int chunks = 0; chunks < 64 && at + 8 <= source.size(); ++chunks) {
    const std::string header = source.peek(at, 8);
    if (header.size() < 8) break;
    const std::string_view id(header.data(), 4);
    std::uint64_t size = little_endian(std::string_view(header).substr(4, 4));
    if (id == "fmt " || id == "ds64") {
      const std::string body = source.peek(at + 8, 28);
      if (id == "fmt " && body.size() >= 12) byte_rate = little_endian(std::string_view(body).substr(8, 4));
      if (id == "ds64" && body.size() >= 16) ds64_data_size = little_endian(std::string_view(body).substr(8, 8));
    } else if (id == "data") {
      if (rf64 && size == 0xFFFFFFFF) size = ds64_data_size;
      if (size == 0 || size == 0xFFFFFFFF || byte_rate == 0) return 0;
      return static_cast<double>(size) / static_cast<double>(byte_rate);
    }
    at += 8 + static_cast<std::int64_t>(size + (size & 1));  // chunks are padded to even sizes
  }
  return 0;
}

}  // namespace

MediaReport analyse_media(const std::filesystem::path& file, const AnalysisSettings& settings, const ByteSink& copy) {
  install_log_callback();
  LogCollector collector;
  t_collector = &collector;
  struct Detach {
    ~Detach() { t_collector = nullptr; }
  } detach;

  MediaReport report;
  FileSource source(file, copy);
  constexpr int kBufferBytes = 1 << 16;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferBytes));
  if (!buffer) throw std::bad_alloc();
  std::unique_ptr<AVIOContext, IoFree> io(
      avio_alloc_context(buffer, kBufferBytes, 0, &source, &FileSource::read, nullptr, &FileSource::seek));
  if (!io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  AVFormatContext* opened = avformat_alloc_context();
  if (!opened) throw std::bad_alloc();
  opened->pb = io.get();
  // Closed before io (declared after it): the demuxer reads through io until then.
  if (const int code = avformat_open_input(&opened, file.c_str(), nullptr, nullptr); code < 0)
    throw std::runtime_error("not audio or video FFmpeg can read: " + error_text(code));
  std::unique_ptr<AVFormatContext, FormatCloser> format(opened);
  if (const int code = avformat_find_stream_info(format.get(), nullptr); code < 0)
    throw std::runtime_error("its streams cannot be read: " + error_text(code));
  report.container = format->iformat->name;
  if (format->duration != AV_NOPTS_VALUE) report.container_duration_s = static_cast<double>(format->duration) / AV_TIME_BASE;
  if (report.container == "wav") report.container_duration_s = std::max(report.container_duration_s, declared_wav_seconds(source));
  report.bit_rate_bps = static_cast<double>(format->bit_rate);

  std::map<int, Decoder> decoders;
  for (unsigned index = 0; index < format->nb_streams; ++index) {
    AVStream* stream = format->streams[index];
    const AVCodecParameters* parameters = stream->codecpar;
    const bool video = parameters->codec_type == AVMEDIA_TYPE_VIDEO && !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC);
    const bool audio = parameters->codec_type == AVMEDIA_TYPE_AUDIO;
    if ((!video || report.video) && !audio) continue;
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
      report.container_duration_s = std::max(report.container_duration_s, seconds_of(stream->duration, stream->time_base));
    const char* codec_name = avcodec_get_name(parameters->codec_id);
    if (video) {
      VideoStream v;
      v.codec = codec_name;
      if (const char* profile = avcodec_profile_name(parameters->codec_id, parameters->profile)) v.profile = profile;
      v.width = parameters->width;
      v.height = parameters->height;
      v.frame_rate = av_q2d(av_guess_frame_rate(format.get(), stream, nullptr));
      v.aspect_ratio = aspect_text(v.width, v.height, av_guess_sample_aspect_ratio(format.get(), stream, nullptr));
      const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(parameters->format));
      v.chroma = chroma_text(desc);
      v.bit_depth = desc ? desc->comp[0].depth : 0;
      v.bit_rate_bps = static_cast<double>(parameters->bit_rate);
      report.video = v;
      // What the header declares, not what FFmpeg estimates from the size of a file cut
      // short (an AVI's stream header counts its frames).
      if (stream->nb_frames > 0 && v.frame_rate > 0)
        report.container_duration_s = std::max(report.container_duration_s, static_cast<double>(stream->nb_frames) / v.frame_rate);
    } else {
      AudioStream a;
      a.codec = codec_name;
      a.sample_rate = parameters->sample_rate;
      a.channels = parameters->ch_layout.nb_channels;
      a.bit_depth = parameters->bits_per_raw_sample > 0     ? parameters->bits_per_raw_sample
                    : parameters->bits_per_coded_sample > 0 ? parameters->bits_per_coded_sample
                                                            : av_get_bytes_per_sample(static_cast<AVSampleFormat>(parameters->format)) * 8;
      a.bit_rate_bps = static_cast<double>(parameters->bit_rate);
      report.audio.push_back(a);
    }
    Decoder decoder;
    decoder.stream = stream;
    const AVCodec* codec = avcodec_find_decoder(parameters->codec_id);
    if (!codec) {
      ++report.error_count;
      report.errors.push_back({0, std::string("no decoder for ") + codec_name});
      continue;
    }
    decoder.codec.reset(avcodec_alloc_context3(codec));
    if (!decoder.codec) throw std::bad_alloc();
    avcodec_parameters_to_context(decoder.codec.get(), parameters);
    // Frame threads for the codecs that gain from them (H.264, HD pictures); sound and
    // MPEG-2 SD decode fast enough on one.
    decoder.codec->thread_count = video ? std::max(1, settings.decoder_threads) : 1;
    decoder.codec->opaque = &collector;
    // CRCs checked where the codec carries them; the stricter bitstream checks flag
    // conforming MPEG-2 from FFmpeg's own encoder.
    decoder.codec->err_recognition = AV_EF_CRCCHECK;
    decoder.codec->pkt_timebase = stream->time_base;
    // A header claiming a larger picture than 8K is refused before a frame is allocated.
    decoder.codec->max_pixels = kMaxPicturePixels;
    if (const int code = avcodec_open2(decoder.codec.get(), codec, nullptr); code < 0) {
      ++report.error_count;
      report.errors.push_back({0, std::string("cannot open the ") + codec_name + " decoder: " + error_text(code)});
      continue;
    }
    if (video) {
      decoder.picture = std::make_unique<PictureWatch>(settings, report);
      if (settings.contact_frames > 0) {
        const AVRational sample_aspect = av_guess_sample_aspect_ratio(format.get(), stream, nullptr);
        const double display = parameters->height > 0 ? static_cast<double>(parameters->width) *
                                                            (sample_aspect.num > 0 ? av_q2d(sample_aspect) : 1.0) /
                                                            parameters->height
                                                      : 4.0 / 3;
        decoder.contact = std::make_unique<ContactPictures>(settings, report, report.container_duration_s, display);
      }
    } else {
      const bool first_sound = std::none_of(decoders.begin(), decoders.end(),
                                            [](const auto& entry) { return entry.second.sound != nullptr; });
      decoder.sound = std::make_unique<SoundWatch>(settings, report, parameters->sample_rate,
                                                   first_sound ? &report.envelope : nullptr);
    }
    decoders.emplace(static_cast<int>(index), std::move(decoder));
  }
  if (!report.video && report.audio.empty()) throw std::runtime_error("holds no audio or video stream");

  std::unique_ptr<AVPacket, PacketFree> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFree> frame(av_frame_alloc());
  if (!packet || !frame) throw std::bad_alloc();
  double now_s = 0;  // the time of the packet being decoded: where an error is
  auto note_error = [&](std::string message) {
    ++report.error_count;
    if (report.errors.size() < settings.max_errors) report.errors.push_back({now_s, std::move(message)});
  };
  auto take_logged_errors = [&] {
    for (std::string& message : collector.take()) note_error(std::move(message));
  };
  auto drain = [&](Decoder& decoder) {
    for (;;) {
      const int code = avcodec_receive_frame(decoder.codec.get(), frame.get());
      if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return;
      if (code < 0) {
        take_logged_errors();
        note_error("decoding: " + error_text(code));
        return;
      }
      if (frame->decode_error_flags != 0 || (frame->flags & AV_FRAME_FLAG_CORRUPT)) note_error("a damaged frame");
      const AVRational time_base = decoder.stream->time_base;
      double start = seconds_of(frame->best_effort_timestamp, time_base);
      if (decoder.picture) {
        const double rate = report.video->frame_rate > 0 ? report.video->frame_rate : 25;
        double length = frame->pkt_duration > 0 ? seconds_of(frame->pkt_duration, time_base) : 1.0 / rate;
        if (std::isnan(start)) start = decoder.end_s;
        if (std::isnan(decoder.start_s)) decoder.start_s = start;
        start -= decoder.start_s;
        if (!decoder.interlaced_known) {
          report.video->interlaced = frame->interlaced_frame != 0;
          decoder.interlaced_known = true;
        }
        decoder.picture->observe(*frame, start, length);
        if (decoder.contact) decoder.contact->observe(*frame, start);
        decoder.end_s = std::max(decoder.end_s, start + length);
        ++report.video_frames;
      } else if (decoder.sound) {
        decoder.sound->observe(*frame);
      }
      av_frame_unref(frame.get());
    }
  };

  for (;;) {
    const int code = av_read_frame(format.get(), packet.get());
    if (code == AVERROR_EOF) break;
    if (code < 0) {
      take_logged_errors();
      note_error("reading the file: " + error_text(code));
      report.ended_early = true;
      break;
    }
    auto found = decoders.find(packet->stream_index);
    if (found != decoders.end()) {
      Decoder& decoder = found->second;
      const double at = seconds_of(packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts, decoder.stream->time_base);
      if (!std::isnan(at)) now_s = std::max(0.0, at - (std::isnan(decoder.start_s) ? 0 : decoder.start_s));
      decoder.bytes += packet->size;
      if (packet->flags & AV_PKT_FLAG_CORRUPT) note_error("a damaged packet");
      const int sent = avcodec_send_packet(decoder.codec.get(), packet.get());
      take_logged_errors();
      if (sent < 0 && sent != AVERROR(EAGAIN)) note_error("decoding: " + error_text(sent));
      drain(decoder);
      take_logged_errors();
    }
    av_packet_unref(packet.get());
  }
  take_logged_errors();
  for (auto& [index, decoder] : decoders) {
    avcodec_send_packet(decoder.codec.get(), nullptr);
    drain(decoder);
    take_logged_errors();
    double seconds = 0;
    if (decoder.picture) {
      decoder.picture->finish();
      seconds = decoder.end_s;
      if (report.video->bit_rate_bps <= 0 && seconds > 0) report.video->bit_rate_bps = decoder.bytes * 8.0 / seconds;
    } else if (decoder.sound) {
      decoder.sound->finish();
      seconds = decoder.sound->seconds();
    }
    report.decoded_duration_s = std::max(report.decoded_duration_s, seconds);
  }
  source.finish_copy();
  return report;
}

}  // namespace lantai::av
