#include "pipeline/runtime/progress.h"

#include <unistd.h>

namespace lantai {

Progress::Progress(long long total_items, long long already_done, bool enabled)
    : total_(total_items), done_before_(already_done), enabled_(enabled && ::isatty(STDERR_FILENO)) {}

double Progress::items_per_minute() const {
  double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() / 60.0;
  return minutes > 0 ? static_cast<double>(done_now_) / minutes : 0.0;
}

void Progress::item_done(bool rejected) {
  ++done_now_;
  if (rejected) ++rejects_;
  draw(false);
}

void Progress::draw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  const long long done = done_before_ + done_now_;
  const double rate = items_per_minute();
  std::fprintf(stderr, "\r\033[K  items %lld/%lld  %.1f items/min", done, total_, rate);
  if (rate > 0 && done < total_) {
    long long eta_s = static_cast<long long>((total_ - done) / rate * 60.0);
    std::fprintf(stderr, "  ETA %lldm%02llds", eta_s / 60, eta_s % 60);
  }
  std::fprintf(stderr, "  rejects %lld", rejects_);
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_) return;
  draw(true);
  std::fprintf(stderr, "\n");
}

}  // namespace lantai
