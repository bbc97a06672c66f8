#include "stages/deposit/catalogue_csv.h"

#include "pipeline/csv.h"

namespace lantai::deposit {

std::string catalogue_csv(const std::vector<std::string>& columns,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string out = csv_line(columns, "\r\n");
  for (const auto& row : rows) out += csv_line(row, "\r\n");
  return out;
}

}  // namespace lantai::deposit
