// The registration forms' templates, one file each (see form_template.h).
#pragma once

#include "stages/deposit/forms/form_template.h"

namespace lantai::deposit::forms {

const FormTemplate& backup_status_form();            // 电子文件和数字档案备份情况表
const FormTemplate& backup_status_continued_form();  // its 续表
const FormTemplate& carrier_catalogue_form();        // 备份载体目录
const FormTemplate& registration_detail_form();      // 登记明细表
const FormTemplate& handover_inspection_form();      // 档案备份数据移交、接收检验表

inline constexpr std::string_view kDateLine = "日期：      年    月    日";

// Above every form: 全宗号 and 单位名称, as the centre files it.
inline FieldGrid form_head() {
  return {.pairs_per_row = 2, .label_share = 0.26, .ruled = false,
          .fields = {{"全宗号：", "fonds_code"}, {"单位名称：", "unit_name"}}};
}

// At the foot of a form the unit fills alone: who filled it in, and the unit's seal.
inline SignBoxes preparer_and_seal() {
  return {.boxes = {{"填表人", {"签字：", kDateLine}}, {"填报单位（盖章）", {kDateLine}}}, .height_mm = 32};
}

}  // namespace lantai::deposit::forms
