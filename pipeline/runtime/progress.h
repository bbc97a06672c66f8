// Progress for a person at a terminal: items done/total, items/min, ETA, rejects.
// Silent when stderr is not a terminal. Called from the runner's serial sink.
#pragma once

#include <chrono>
#include <cstdio>

namespace lantai {

class Progress {
 public:
  Progress(long long total_items, long long already_done, bool enabled);
  void item_done(bool rejected);
  void finish();

  long long done_now() const { return done_now_; }
  double items_per_minute() const;

 private:
  void draw(bool force);

  long long total_;
  long long done_before_;
  long long done_now_ = 0;
  long long rejects_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace lantai
