// The JSON-lines log in WORK/log.jsonl: one object per event, appended, so a resumed
// batch keeps the history of every run. Thread-safe.
#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace lantai {

class EventLog {
 public:
  explicit EventLog(const std::filesystem::path& file);  // throws std::runtime_error
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Writes {"time": ..., "event": event, ...fields} as one line.
  void write(const std::string& event, nlohmann::json fields = nlohmann::json::object());

 private:
  std::FILE* file_;
  std::mutex mutex_;
};

}  // namespace lantai
