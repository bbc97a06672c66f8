// DigestStream on a thread of its own, for a writer that reads, copies and writes on one
// core: update() copies the bytes into a 1 MiB buffer and returns while the other buffer is
// hashed, so the digests take the second core instead of slowing the writer. Memory is two
// buffers whatever the length. One writer per object; finish() once.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pipeline/digest.h"

namespace lantai {

class ThreadedDigestStream {
 public:
  explicit ThreadedDigestStream(const std::vector<DigestAlgorithm>& algorithms) : stream_(algorithms) {
    filling_.reserve(kBufferBytes);
    hashing_.reserve(kBufferBytes);
    worker_ = std::thread([this] { run(); });
  }
  ~ThreadedDigestStream() { stop(); }
  ThreadedDigestStream(const ThreadedDigestStream&) = delete;
  ThreadedDigestStream& operator=(const ThreadedDigestStream&) = delete;

  void update(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t take = std::min(bytes.size(), kBufferBytes - filling_.size());
      filling_.append(bytes.data(), take);
      bytes.remove_prefix(take);
      if (filling_.size() == kBufferBytes) hand_over();
    }
  }

  // One lowercase hex digest per algorithm, in order, of every byte given.
  std::vector<std::string> finish() {
    if (!filling_.empty()) hand_over();
    stop();
    return stream_.finish();
  }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;

  // Waits until the worker is free, then gives it the filled buffer.
  void hand_over() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !pending_; });
    filling_.swap(hashing_);
    filling_.clear();
    pending_ = true;
    changed_.notify_all();
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return pending_ || stopping_; });
      if (!pending_) return;  // stopping, and nothing left to hash
      lock.unlock();
      stream_.update(hashing_);
      lock.lock();
      pending_ = false;
      changed_.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      changed_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
  }

  DigestStream stream_;
  std::string filling_, hashing_;
  bool pending_ = false, stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread worker_;
};

}  // namespace lantai
