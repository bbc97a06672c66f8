// 电子文件和数字档案备份情况表: the batch as the centre registers it; digests per carrier on its 续表.
#include "stages/deposit/forms/templates/templates.h"

namespace lantai::deposit::forms {

const FormTemplate& backup_status_form() {
  static const FormTemplate form{
      .name = "备份情况表",
      .title = "电子文件和数字档案备份情况表",
      .head = form_head(),
      .sections = {
          FieldGrid{.min_row_height_mm = 9,
                    .fields = {{"单位名称", "unit_name", 2},
                               {"全宗号", "fonds_code"},
                               {"备份日期", "date"},
                               {"批次号", "batch_id", 2},
                               {"备份内容", "content", 2},
                               {"备份方式", "backup_kind"},
                               {"交付方式", "delivery"},
                               {"档案条目数（件）", "record_count"},
                               {"页数", "page_count"},
                               {"照片（张）", "photo_count"},
                               {"录音录像（件）", "recording_count"},
                               {"录音录像时长", "recording_duration"},
                               {"文件数", "payload_file_count"},
                               {"数据量（GB）", "data_volume_gb"},
                               {"数据量（字节）", "payload_bytes"},
                               {"载体数量", "carrier_count"},
                               {"隔离页数", "quarantined_page_count"},
                               {"隔离照片（张）", "quarantined_photo_count"},
                               {"隔离录音录像（件）", "quarantined_recording_count"},
                               {"暂缓登记条目数", "withheld_record_count"},
                               {"处理规范", "profile_name", 2},
                               {"数据包", "package_name", 2},
                               {"数据包 MD5", "package_md5", 2},
                               {"唯一性认证信息", "authentication_summary", 2},
                               {"数字签名", "signature", 2},
                               {"外层加密", "encryption", 2},
                               {"续接批次", "continues", 2},
                               {"备注", "remarks", 2}}},
          SignBoxes{.boxes = {{"填表人", {"签字：", kDateLine}},
                              {"审核人", {"签字：", kDateLine}},
                              {"填报单位（盖章）", {kDateLine}}},
                    .height_mm = 38},
      }};
  return form;
}

}  // namespace lantai::deposit::forms
