// bench_av: how fast the av stage checks standard-definition video (DA/T 62: 720x576,
// MPEG-2 4:2:2 at 10 Mbit/s, 24-bit PCM), as times real time on one core, and its peak
// memory for a short and a four-times-longer clip (it must not grow with length), beside
// `ffmpeg -i FILE -f null -`, the usual way to see whether a file decodes. Clips are made
// with Debian's ffmpeg. Prints figures; never fails on time.
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
  double peak_mib = -1;
};

// Runs work in a child process: its wall time and peak resident memory.
template <class Work>
Figures in_child(Work work) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(work() ? 0 : 1);
  int status = 0;
  rusage usage{};
  if (child < 0 || ::wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {};
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          static_cast<double>(usage.ru_maxrss) / 1024.0};
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  const fs::path dir = fs::temp_directory_path() / "lantai-bench-av";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("SD clips (720x576 MPEG-2 4:2:2 10 Mbit/s, 24-bit PCM), checked on one core\n");
  for (const int length : {seconds, 4 * seconds}) {
    const fs::path clip = dir / ("clip-" + std::to_string(length) + ".avi");
    const std::string make =
        "ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i testsrc2=size=720x576:rate=25 "
        "-f lavfi -i sine=frequency=440:sample_rate=48000 -c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M "
        "-maxrate 10M -bufsize 2M -aspect 4:3 -c:a pcm_s24le -ac 2 -t " + std::to_string(length) + " '" +
        clip.string() + "'";
    if (std::system(make.c_str()) != 0) {
      std::printf("cannot make the clip with ffmpeg (scripts/install-deps.sh installs it)\n");
      return 1;
    }
    const Figures lantai = in_child([&] {
      const lantai::av::MediaReport report = lantai::av::analyse_media(clip);
      return report.video_frames > 0;
    });
    const std::string null_decode = "ffmpeg -hide_banner -loglevel error -nostdin -threads 1 -i '" + clip.string() +
                                    "' -f null - >/dev/null 2>&1";
    const Figures ffmpeg = in_child([&] { return std::system(null_decode.c_str()) == 0; });
    std::printf("%4d s, %.0f MB: lantai av %.2f s (x%.0f real time), peak %.0f MiB; ffmpeg -f null %.2f s (x%.0f)\n",
                length, static_cast<double>(fs::file_size(clip)) / 1e6, lantai.seconds, length / lantai.seconds,
                lantai.peak_mib, ffmpeg.seconds, length / ffmpeg.seconds);
  }
  fs::remove_all(dir);
  return 0;
}
