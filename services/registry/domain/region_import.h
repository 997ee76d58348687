#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/registry/domain/region.h"

namespace kla::registry {

// Parses the official list as published in the idn-area-data package:
// provinces.csv ("code,name") and regencies.csv ("code,province_code,name"),
// each with a header; columns are found by header name, quoted fields and
// CRLF line ends are accepted. Returns provinces first, then kabupaten/kota,
// each in file order.
//
// The first malformed row fails the whole parse: INVALID_ARGUMENT with a
// field violation on "provinces_csv" or "regencies_csv" whose description
// starts with "line N:". Nothing partial is ever returned.
absl::StatusOr<std::vector<Region>> ParseRegionFiles(absl::string_view provinces_csv, absl::string_view regencies_csv);

}  // namespace kla::registry
