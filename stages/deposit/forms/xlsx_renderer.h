// Form templates written as one XLSX workbook (libxlsxwriter), one sheet a form, laid out
// as its PDF: the same boxes (a sheet column for every edge any row has, boxes merged
// across them), borders, figures as numbers with the digits printed, and set to print on
// A4 portrait, fitted to the page width, a table's header row repeated on every page.
#pragma once

#include <filesystem>
#include <vector>

#include "stages/deposit/forms/form_template.h"
#include "stages/deposit/forms/form_values.h"

namespace lantai::deposit::forms {

// Throws std::runtime_error naming the file when libxlsxwriter cannot write it.
void write_workbook(const std::vector<const FormTemplate*>& forms, const FormValues& values,
                    const std::filesystem::path& file);

}  // namespace lantai::deposit::forms
