#include "stages/stage_sequence.h"

#include "stages/decode/decode_stage.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/derivatives/derivative_stage.h"
#include "stages/deskew/deskew_stage.h"
#include "stages/ingest/ingest_stage.h"
#include "stages/link/link_stage.h"
#include "stages/ocr/ocr_stage.h"
#include "stages/quality/duplicate_stage.h"
#include "stages/quality/quality_stage.h"
#include "stages/verify/verify_stage.h"

namespace lantai {

StageSequence make_stage_sequence() {
  StageSequence stages;
  stages.ingest = std::make_unique<ingest::IngestStage>();
  // DA/T 31-2017 order: decode, image processing (纠偏, 去污), quality check, OCR, storage.
  stages.page_stages.push_back(std::make_unique<decode::DecodeStage>());
  stages.page_stages.push_back(std::make_unique<deskew::DeskewStage>());
  stages.page_stages.push_back(std::make_unique<quality::QualityStage>());
  stages.page_stages.push_back(std::make_unique<ocr::OcrStage>());
  stages.page_stages.push_back(std::make_unique<derivatives::DerivativeStage>());
  // Once a record's pages are done: 数据挂接, then duplicates within the record.
  stages.record_stages.push_back(std::make_unique<link::LinkStage>());
  stages.record_stages.push_back(std::make_unique<quality::DuplicateStage>());
  stages.deposit = std::make_unique<deposit::DepositStage>();
  stages.verify = std::make_unique<verify::VerifyStage>();
  return stages;
}

}  // namespace lantai
