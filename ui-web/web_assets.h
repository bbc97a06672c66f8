// The review page's files (ui-web/assets/), compiled into the binary by CMake
// (cmake/EmbedAssets.cmake): nothing is read from disk or fetched to serve the page.
#pragma once

#include <span>
#include <string_view>

namespace lantai::review {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/review.css" …
  std::string_view content_type;
  std::string_view bytes;
};

std::span<const WebAsset> web_assets();

}  // namespace lantai::review
