// 档案备份数据移交、接收检验表: the depositing unit fills its part and its own check; the
// centre's results, signatures and dates are left blank for the centre.
#include "stages/deposit/forms/templates/templates.h"

namespace lantai::deposit::forms {

const FormTemplate& handover_inspection_form() {
  static const FormTemplate form{
      .name = "移交接收检验表",
      .title = "档案备份数据移交、接收检验表",
      .head = form_head(),
      .sections = {
          FieldGrid{.caption = "一、移交单位填写",
                    .min_row_height_mm = 7,
                    .fields = {{"移交单位", "unit_name", 2},
                               {"全宗号", "fonds_code"},
                               {"移交日期", "date"},
                               {"批次号", "batch_id", 2},
                               {"交付方式", "delivery"},
                               {"载体数量", "carrier_count"},
                               {"档案条目数（件）", "record_count"},
                               {"文件数", "payload_file_count"},
                               {"数据量（GB）", "data_volume_gb"},
                               {"数据量（字节）", "payload_bytes"},
                               {"数据包", "package_name", 2},
                               {"数据包 MD5", "package_md5", 2}}},
          TableSpec{.caption = "二、检验记录",
                    .rows = "inspection",
                    .columns = {{"检验项目", "item", 24, Align::centre},
                                {"移交单位自检", "unit_result", 78},
                                {"接收单位检验结果", "", 54},
                                {"检验人", "", 24}},
                    .min_row_height_mm = 11},
          FieldGrid{.caption = "三、接收单位填写",
                    .min_row_height_mm = 9,
                    .fields = {{"接收日期", ""}, {"检验结论", ""}, {"处理意见", "", 2}}},
          SignBoxes{.boxes = {{"移交单位（盖章）", {"移交人（签字）：", kDateLine}},
                              {"接收单位（盖章）",
                               {"接收人（签字）：", "检验人（签字）：", kDateLine}}},
                    .height_mm = 36},
      }};
  return form;
}

}  // namespace lantai::deposit::forms
