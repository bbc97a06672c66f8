// 电子文件和数字档案备份情况表（续表）: each carrier or package with its 唯一性认证信息.
#include "stages/deposit/forms/templates/templates.h"

namespace lantai::deposit::forms {

const FormTemplate& backup_status_continued_form() {
  static const FormTemplate form{
      .name = "备份情况表续表",
      .title = "电子文件和数字档案备份情况表",
      .subtitle = "（续表）",
      .head = form_head(),
      .sections = {
          FieldGrid{.pairs_per_row = 1, .label_share = 0.2, .fields = {{"批次号", "batch_id"}}},
          TableSpec{.rows = "carriers",
                    // A SHA-256 or SM3 digest (64 hex digits) whole on one line at 8 pt.
                    .columns = {{"序号", "serial", 8, Align::centre},
                                {"载体编号", "number", 30},
                                {"载体类型", "type", 15, Align::centre},
                                {"数据量（GB）", "data_volume_gb", 13, Align::right},
                                {"唯一性认证信息（摘要算法：摘要值）", "authentication", 114}},
                    .min_row_height_mm = 9,
                    .text_pt = 8},
          Note{.key = "authentication_note"},
          preparer_and_seal(),
      }};
  return form;
}

}  // namespace lantai::deposit::forms
