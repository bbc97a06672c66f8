#include "pipeline/runtime/event_log.h"

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace lantai {

EventLog::EventLog(const std::filesystem::path& file) : file_(std::fopen(file.c_str(), "a")) {
  if (!file_) throw std::runtime_error("cannot open log " + file.string());
}

EventLog::~EventLog() { std::fclose(file_); }

void EventLog::write(const std::string& event, nlohmann::json fields) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  char full[48];
  std::snprintf(full, sizeof full, "%s.%03lldZ", stamp, static_cast<long long>(millis));

  nlohmann::ordered_json line;
  line["time"] = full;
  line["event"] = event;
  for (auto& [key, value] : fields.items()) line[key] = value;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace lantai
