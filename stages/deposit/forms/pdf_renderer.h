// Any form template drawn as an A4 PDF (pipeline/pdf_document.h: fonts embedded, tables
// over pages with their header repeated, pages numbered 第 n 页 共 m 页).
#pragma once

#include <string>

#include "stages/deposit/forms/form_template.h"
#include "stages/deposit/forms/form_values.h"

namespace lantai::deposit::forms {

// The PDF's bytes. Throws std::runtime_error when cairo fails, std::logic_error when the
// template names a value not in values.
std::string render_pdf(const FormTemplate& form, const FormValues& values);

}  // namespace lantai::deposit::forms
