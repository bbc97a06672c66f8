#include "pipeline/review.h"

#include <array>
#include <utility>

namespace lantai {

namespace {
constexpr std::array<std::pair<ReviewAction, std::string_view>, 8> kActionNames{{
    {ReviewAction::accept, "accept"},
    {ReviewAction::rotate, "rotate"},
    {ReviewAction::skew, "skew"},
    {ReviewAction::crop, "crop"},
    {ReviewAction::rescan, "rescan"},
    {ReviewAction::sign_off, "sign_off"},
    {ReviewAction::record_accept, "record_accept"},
    {ReviewAction::send_back, "send_back"},
}};
}  // namespace

std::string_view to_string(ReviewAction action) {
  for (const auto& [known, name] : kActionNames)
    if (known == action) return name;
  return "accept";
}

bool review_action_from_string(std::string_view text, ReviewAction& action) {
  for (const auto& [known, name] : kActionNames)
    if (name == text) {
      action = known;
      return true;
    }
  return false;
}

std::string accept_manual_name(std::string_view code) { return "accept." + std::string(code); }

}  // namespace lantai
