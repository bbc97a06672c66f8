// What the registration forms say (forms/registration_forms.h), taken from the batch and
// the finished bag's backup form, so the printed figures are the bag's own.
#pragma once

#include <string>

#include "pipeline/catalog.h"
#include "pipeline/sealed_package.h"
#include "pipeline/units.h"
#include "pipeline/virus_scanner.h"
#include "stages/deposit/backup_form.h"
#include "stages/deposit/forms/registration_forms.h"
#include "stages/deposit/package_file.h"

namespace lantai::deposit {

// The forms' folder beside the bag: WORK/deposit/<batch_id>-forms.
inline constexpr const char* kFormsFolderSuffix = "-forms";

// One record's line on the 登记明细表 from its catalogue entry (null: none, the fields
// blank). A photo record's 摄影者 and 时间 (DA/T 50-2014) stand in for 责任者 and 日期.
forms::RecordEntry record_entry(const std::string& ref, const std::string& title, const CatalogRecord* entry,
                                const std::vector<std::string>& columns, const ItemCounts& items);

// package: the package file made of the bag (its digests are the ones the centre compares).
// sealed: the package encrypted for the journey (--seal-key); null when it is not.
// scanner: the engine that scanned the bag before it was sealed; null when not scanned.
forms::RegistrationForms registration_forms_input(const BatchWork& batch, const BackupForm& form,
                                                  const PackageFile& package, const SealedFigures* sealed,
                                                  const VirusScanner* scanner);

}  // namespace lantai::deposit
