#include "pipeline/item.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "pipeline/format.h"

namespace lantai {

std::string_view to_string(ItemKind kind) {
  switch (kind) {
    case ItemKind::page: return "page";
    case ItemKind::photo: return "photo";
    case ItemKind::av: return "av";
  }
  return "page";
}

std::optional<ItemKind> item_kind_from_string(std::string_view text) {
  for (ItemKind kind : {ItemKind::page, ItemKind::photo, ItemKind::av})
    if (to_string(kind) == text) return kind;
  return std::nullopt;
}

std::string_view to_string(ColourMode mode) {
  switch (mode) {
    case ColourMode::unknown: return "unknown";
    case ColourMode::bilevel: return "bilevel";
    case ColourMode::grey: return "grey";
    case ColourMode::colour: return "colour";
  }
  return "unknown";
}

std::optional<double> Measurements::number(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || !std::holds_alternative<double>(it->second)) return std::nullopt;
  return std::get<double>(it->second);
}

std::string Measurements::text(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || !std::holds_alternative<std::string>(it->second)) return {};
  return std::get<std::string>(it->second);
}

void Measurements::merge(const Measurements& other) {
  for (const auto& [name, value] : other.values_) values_[name] = value;
}

std::string Measurements::to_json() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : values_)
    std::visit([&, &name = name](const auto& v) { json[name] = v; }, value);
  return json.dump();
}

Measurements Measurements::from_json(const std::string& text) {
  Measurements measurements;
  const nlohmann::json json = nlohmann::json::parse(text);  // items() of a temporary would dangle
  for (const auto& [name, value] : json.items()) {
    if (value.is_number()) measurements.set(name, value.get<double>());
    else if (value.is_string()) measurements.set(name, value.get<std::string>());
  }
  return measurements;
}

std::string Measurements::format(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return trimmed(std::get<double>(value), 6);
}

std::optional<std::string> Item::manual_value(std::string_view stage, std::string_view name) const {
  std::string key(stage);
  key += '.';
  key += name;
  auto it = manual.find(key);
  if (it == manual.end()) return std::nullopt;
  return it->second;
}

std::string Item::serial() const {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", seq);
  return text;
}

std::string Item::make_id(const std::string& rel_path, int frame) { return rel_path + "#" + std::to_string(frame); }

std::pair<std::string, int> split_item_id(const std::string& item_id) {
  auto hash = item_id.rfind('#');
  if (hash == std::string::npos) return {item_id, 0};
  return {item_id.substr(0, hash), std::atoi(item_id.c_str() + hash + 1)};
}

}  // namespace lantai
