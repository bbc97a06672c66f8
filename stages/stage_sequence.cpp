#include "stages/stage_sequence.h"

#include "stages/av/av_stage.h"
#include "stages/carriers/carrier_codes.h"
#include "stages/carriers/carrier_settings.h"
#include "stages/cataloguing/catalogue_draft_stage.h"
#include "stages/cataloguing/cataloguing_stage.h"
#include "stages/decode/decode_stage.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/derivatives/derivative_stage.h"
#include "stages/derivatives/photo_derivative_stage.h"
#include "stages/derivatives/record_tiff_stage.h"
#include "stages/deskew/deskew_stage.h"
#include "stages/ingest/ingest_stage.h"
#include "stages/link/link_stage.h"
#include "stages/ocr/ocr_stage.h"
#include "stages/orient/orient_stage.h"
#include "stages/quality/duplicate_stage.h"
#include "stages/quality/photo_date_stage.h"
#include "stages/quality/photo_quality_stage.h"
#include "stages/quality/quality_stage.h"
#include "stages/searchable_pdf/searchable_pdf_stage.h"
#include "stages/verify/verify_stage.h"
#include "stages/virus_scan/virus_scan_stage.h"

namespace lantai {

StageSequence make_stage_sequence() {
  StageSequence stages;
  stages.ingest = std::make_unique<ingest::IngestStage>();
  // Pages: scanned for viruses before any stage opens them; then in DA/T 31-2017 order:
  // decode, image processing (纠偏: quarter turns, then skew; 去污), storage (图像存储),
  // then quality check and OCR on the stored image, so they read exactly what is
  // delivered and a rerun that changes only them starts from the stored image.
  auto& pages = stages.chains[ItemKind::page];
  pages.push_back(std::make_unique<virus_scan::VirusScanStage>());
  pages.push_back(std::make_unique<decode::DecodeStage>());
  pages.push_back(std::make_unique<orient::OrientStage>());
  pages.push_back(std::make_unique<deskew::DeskewStage>());
  pages.push_back(std::make_unique<derivatives::DerivativeStage>());
  pages.push_back(std::make_unique<quality::QualityStage>());
  pages.push_back(std::make_unique<ocr::OcrStage>());
  // Recordings (audio, video): scanned for viruses like pages, then checked whole and
  // delivered as they are (DA/T 62-2017).
  auto& recordings = stages.chains[ItemKind::av];
  recordings.push_back(std::make_unique<virus_scan::VirusScanStage>());
  recordings.push_back(std::make_unique<av::AvStage>());
  // Photos (照片档案, told by the catalogue or the profile at ingest): scanned and decoded
  // like pages, checked as photos, and kept as scanned (no turning, straightening,
  // cropping or OCR), with an upright access copy beside the master.
  auto& photos = stages.chains[ItemKind::photo];
  photos.push_back(std::make_unique<virus_scan::VirusScanStage>());
  photos.push_back(std::make_unique<decode::DecodeStage>());
  photos.push_back(std::make_unique<quality::PhotoQualityStage>());
  photos.push_back(std::make_unique<derivatives::PhotoDerivativeStage>());
  // Once a record's pages are done: 数据挂接, the catalogue checked against the pages,
  // then duplicates within the record and a photo record's date against its files; last, the record's searchable PDF and, when the
  // profile asks, its pages as one multi-page TIFF.
  stages.record_stages.push_back(std::make_unique<link::LinkStage>());
  stages.record_stages.push_back(std::make_unique<cataloguing::CataloguingStage>());
  stages.record_stages.push_back(std::make_unique<quality::DuplicateStage>());
  stages.record_stages.push_back(std::make_unique<quality::PhotoDateStage>());
  stages.record_stages.push_back(std::make_unique<searchable_pdf::SearchablePdfStage>());
  stages.record_stages.push_back(std::make_unique<derivatives::RecordTiffStage>());
  stages.deposit = std::make_unique<deposit::DepositStage>();
  stages.catalogue_draft = std::make_unique<cataloguing::CatalogueDraftStage>();
  stages.verify = std::make_unique<verify::VerifyStage>();
  stages.bag_commands.push_back({carriers::kCarriersSection,
                                 [](ProfileSection& section) { carriers::read_carrier_settings(section); },
                                 carriers::carrier_finding_codes()});
  return stages;
}

}  // namespace lantai
