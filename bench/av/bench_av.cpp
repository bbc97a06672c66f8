// bench_av: how fast the av stage checks standard-definition video, as times real time
// (by the wall clock and per CPU-second), beside `ffmpeg -i FILE -f null -` (the usual way
// to see whether a file decodes) on as many threads, and its peak memory for a short and a
// four-times-longer clip (it must not grow with length). Two kinds of SD as DA/T 62 asks (720x576, 4:2:2, 24-bit
// PCM): MPEG-2 at 10 Mbit/s of an easy test pattern, and H.264 High 4:2:2 at 10 Mbit/s of
// the same pattern under moving grain, which is what a tape transfer looks like to a
// decoder. Each on one decoding thread and on two (what `lantai run --jobs 2` gives a
// recording). Clips are made with Debian's ffmpeg. Prints figures; never fails on time.
//   bench_av [seconds]   (default 60; the long clip is four times that)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "stages/av/media_analysis.h"

namespace fs = std::filesystem;

namespace {

struct Figures {
  double seconds = -1;
  double cpu_seconds = -1;
  double peak_mib = -1;
};

// Runs work in a child process: its wall time, CPU time and peak resident memory.
template <class Work>
Figures in_child(Work work) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(work() ? 0 : 1);
  int status = 0;
  rusage usage{};
  if (child < 0 || ::wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {};
  auto seconds_of = [](const timeval& time) { return static_cast<double>(time.tv_sec) + time.tv_usec / 1e6; };
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime), static_cast<double>(usage.ru_maxrss) / 1024.0};
}

struct Content {
  const char* name;
  std::string picture;  // lavfi source and filters
  std::string codec;    // ffmpeg's encoding arguments
};

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  const fs::path dir = fs::temp_directory_path() / ("lantai-bench-av-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Content contents[] = {
      {"MPEG-2 4:2:2, test pattern", "testsrc2=size=720x576:rate=25",
       "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M"},
      {"H.264 High 4:2:2, pattern under moving grain", "testsrc2=size=720x576:rate=25,noise=alls=14:allf=t",
       "-c:v libx264 -profile:v high422 -pix_fmt yuv422p -preset veryfast -b:v 10M -maxrate 10M -bufsize 4M"},
  };
  std::printf("SD clips (720x576, 10 Mbit/s, 24-bit PCM); xN = times real time, wall clock\n");
  for (const Content& content : contents) {
    std::printf("%s\n", content.name);
    for (const int length : {seconds, 4 * seconds}) {
      const fs::path clip = dir / ("clip-" + std::to_string(length) + ".avi");
      const std::string make = "ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i " + content.picture +
                               " -f lavfi -i sine=frequency=440:sample_rate=48000 " + content.codec +
                               " -aspect 4:3 -c:a pcm_s24le -ac 2 -t " + std::to_string(length) + " '" +
                               clip.string() + "'";
      if (std::system(make.c_str()) != 0) {
        std::printf("cannot make the clip with ffmpeg (scripts/install-deps.sh installs it)\n");
        return 1;
      }
      for (const int threads : {1, 2}) {
        lantai::av::AnalysisSettings settings;
        settings.decoder_threads = threads;
        const Figures lantai = in_child([&] {
          const lantai::av::MediaReport report = lantai::av::analyse_media(clip, settings);
          return report.video_frames > 0;
        });
        const std::string null_decode = "ffmpeg -hide_banner -loglevel error -nostdin -threads " +
                                        std::to_string(threads) + " -i '" + clip.string() +
                                        "' -f null - >/dev/null 2>&1";
        const Figures ffmpeg = in_child([&] { return std::system(null_decode.c_str()) == 0; });
        // On a shared machine the wall clock counts others' work too: the CPU time says
        // what the check itself costs (x per CPU-second).
        std::printf(
            "  %4d s, %4.0f MB, %d thread%s: lantai av %6.2f s (x%5.1f), CPU %6.2f s (x%5.1f), peak %3.0f MiB | "
            "ffmpeg -f null %6.2f s (x%5.1f), CPU %6.2f s (x%5.1f)\n",
            length, static_cast<double>(fs::file_size(clip)) / 1e6, threads, threads == 1 ? " " : "s",
            lantai.seconds, length / lantai.seconds, lantai.cpu_seconds, length / lantai.cpu_seconds, lantai.peak_mib,
            ffmpeg.seconds, length / ffmpeg.seconds, ffmpeg.cpu_seconds, length / ffmpeg.cpu_seconds);
      }
    }
  }
  fs::remove_all(dir);
  return 0;
}
