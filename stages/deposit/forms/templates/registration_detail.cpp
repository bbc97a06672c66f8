// 登记明细表: one row per record deposited, as the catalogue describes it; 数量 in the unit of
// its kind (页, 张 for photos, 件 with the length for recordings).
#include "stages/deposit/forms/templates/templates.h"

namespace lantai::deposit::forms {

const FormTemplate& registration_detail_form() {
  static const FormTemplate form{
      .name = "登记明细表",
      .title = "电子档案登记明细表",
      .head = form_head(),
      .sections = {
          FieldGrid{.pairs_per_row = 2, .label_share = 0.3,
                    .fields = {{"批次号", "batch_id", 2},
                               {"条目数（件）", "record_count"},
                               {"页数", "page_count"},
                               {"照片（张）", "photo_count"},
                               {"录音录像（件）", "recording_count"}}},
          TableSpec{.rows = "records",
                    // 档号 (to 25 characters, J012-WS·2021-D30-BGS-0003), 日期 and 保管期限 each on one
                    // line at 9 pt; 题名 and 责任者 wrap.
                    .columns = {{"序号", "serial", 9, Align::centre},
                                {"档号", "ref", 48},
                                {"题名", "title", 38},
                                {"责任者", "creator", 22},
                                {"日期", "date", 19, Align::centre},
                                {"数量", "quantity", 17, Align::right},
                                {"保管期限", "retention", 17, Align::centre},
                                {"密级", "classification", 10, Align::centre}},
                    .min_row_height_mm = 7,
                    .text_pt = 9},
          preparer_and_seal(),
      }};
  return form;
}

}  // namespace lantai::deposit::forms
