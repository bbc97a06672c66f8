// data/catalogue/目录.csv: the catalogue data (目录数据) of the deposited records.
// UTF-8 without BOM; RFC 4180: records end in CRLF (the RFC's line break, and what the
// Windows archive systems that import it expect); a field is quoted only when it holds a
// comma, a double quote (doubled inside), CR or LF, so the same rows give the same bytes.
#pragma once

#include <string>
#include <vector>

namespace lantai::deposit {

std::string catalogue_csv(const std::vector<std::string>& columns,
                          const std::vector<std::vector<std::string>>& rows);

}  // namespace lantai::deposit
