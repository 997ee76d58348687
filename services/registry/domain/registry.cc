#include "services/registry/domain/registry.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "services/registry/domain/region_import.h"

namespace kla::registry {
namespace {

constexpr size_t kMaxQueryLength = 100;
constexpr size_t kMaxRequestIdLength = 128;

absl::Status ValidateLevel(RegionLevel level) {
  switch (level) {
    case RegionLevel::kUnspecified:
    case RegionLevel::kProvince:
    case RegionLevel::kKabupaten:
    case RegionLevel::kKota:
      return absl::OkStatus();
  }
  return InvalidField("level", "unknown region level");
}

}  // namespace

absl::StatusOr<Region> RegionDirectory::GetRegion(absl::string_view code) {
  KLA_RETURN_IF_ERROR(ValidateRegionCode("code", code));
  KLA_ASSIGN_OR_RETURN(std::optional<Region> region, store_->Get(code));
  if (!region) return NotFound("region", code);
  return *region;
}

absl::StatusOr<RegionPage> RegionDirectory::ListRegions(const ListRegionsQuery& q) {
  Violations v;
  if (!q.province_code.empty() && !IsProvinceCode(q.province_code)) {
    v.Add("province_code",
          absl::StrCat("\"", q.province_code.substr(0, 16), "\" is not a province code (e.g. \"35\")"));
  }
  if (q.page_size < 0) v.Add("page_size", "must not be negative");
  if (!ValidateLevel(q.level).ok()) v.Add("level", "unknown region level");
  KLA_RETURN_IF_ERROR(v.ToStatus());
  RegionFilter filter{.province_code = q.province_code};
  if (q.level == RegionLevel::kUnspecified) {
    filter.levels = {RegionLevel::kKabupaten, RegionLevel::kKota};
  } else {
    filter.levels = {q.level};
  }
  if (!q.province_code.empty()) {
    KLA_ASSIGN_OR_RETURN(std::optional<Region> province, store_->Get(q.province_code));
    if (!province) return NotFound("province", q.province_code);
  }
  const std::string fingerprint = absl::StrCat("list|", q.province_code, "|", static_cast<int>(q.level));
  return Page(filter, fingerprint, q.page_size, q.page_token);
}

absl::StatusOr<RegionPage> RegionDirectory::SearchRegions(const SearchRegionsQuery& q) {
  Violations v;
  const std::string folded = FoldForSearch(q.query);
  if (folded.empty()) {
    v.Add("query", "required: some letters of a region name, e.g. \"blitar\"");
  } else if (q.query.size() > kMaxQueryLength) {
    v.Add("query", absl::StrCat("at most ", kMaxQueryLength, " characters"));
  }
  if (q.page_size < 0) v.Add("page_size", "must not be negative");
  if (!ValidateLevel(q.level).ok()) v.Add("level", "unknown region level");
  KLA_RETURN_IF_ERROR(v.ToStatus());
  RegionFilter filter{.name_contains_folded = folded};
  if (q.level != RegionLevel::kUnspecified) filter.levels = {q.level};
  const std::string fingerprint = absl::StrCat("search|", folded, "|", static_cast<int>(q.level));
  return Page(filter, fingerprint, q.page_size, q.page_token);
}

absl::StatusOr<RegionPage> RegionDirectory::Page(const RegionFilter& filter, absl::string_view fingerprint,
                                                 int page_size, absl::string_view page_token) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  if (!after.empty() && !IsProvinceCode(after) && !IsRegencyCode(after)) {
    return InvalidField("page_token", "not a page token from a previous response to this same query");
  }
  // One extra row tells whether another page follows.
  KLA_ASSIGN_OR_RETURN(std::vector<Region> rows, store_->List(filter, after, size + 1));
  RegionPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, rows.back().code);
  }
  page.regions = std::move(rows);
  KLA_ASSIGN_OR_RETURN(page.total_size, store_->Count(filter));
  return page;
}

absl::StatusOr<ImportOutcome> RegionDirectory::ImportRegions(const ImportRegionsCommand& cmd) {
  if (cmd.request_id.empty()) return InvalidField("request_id", "required: a client-chosen id such as a UUID");
  if (cmd.request_id.size() > kMaxRequestIdLength) {
    return InvalidField("request_id", absl::StrCat("at most ", kMaxRequestIdLength, " characters"));
  }
  KLA_ASSIGN_OR_RETURN(std::vector<Region> regions, ParseRegionFiles(cmd.provinces_csv, cmd.regencies_csv));
  return store_->Import(cmd.request_id, regions, cmd.validate_only);
}

}  // namespace kla::registry
