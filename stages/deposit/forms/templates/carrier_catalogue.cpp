// 备份载体目录: the carriers handed over, what each holds and its size.
#include "stages/deposit/forms/templates/templates.h"

namespace lantai::deposit::forms {

const FormTemplate& carrier_catalogue_form() {
  static const FormTemplate form{
      .name = "备份载体目录",
      .title = "备份载体目录",
      .head = form_head(),
      .sections = {
          FieldGrid{.pairs_per_row = 1, .label_share = 0.2, .fields = {{"批次号", "batch_id"}}},
          TableSpec{.rows = "carriers",
                    .columns = {{"序号", "serial", 9, Align::centre},
                                {"载体编号", "number", 34},
                                {"载体类型", "type", 17, Align::centre},
                                {"存储内容", "content", 48},
                                {"文件数", "file_count", 13, Align::right},
                                {"大小（字节）", "size_bytes", 22, Align::right},
                                {"数据量（GB）", "data_volume_gb", 17, Align::right},
                                {"制作日期", "made_on", 20, Align::centre}},
                    .min_row_height_mm = 9,
                    .text_pt = 9},
          preparer_and_seal(),
      }};
  return form;
}

}  // namespace lantai::deposit::forms
