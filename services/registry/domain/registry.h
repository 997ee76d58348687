#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/registry/domain/region_store.h"

namespace kla::registry {

struct ListRegionsQuery {
  std::string province_code;
  RegionLevel level = RegionLevel::kUnspecified;
  int page_size = 0;
  std::string page_token;
};

struct SearchRegionsQuery {
  std::string query;
  RegionLevel level = RegionLevel::kUnspecified;
  int page_size = 0;
  std::string page_token;
};

struct RegionPage {
  std::vector<Region> regions;
  std::string next_page_token;
  int total_size = 0;
};

struct ImportRegionsCommand {
  std::string request_id;
  std::string provinces_csv;
  std::string regencies_csv;
  bool validate_only = false;
};

// The registry's region use cases. Validates input (every error names its
// field), pages with opaque tokens, and delegates storage to a RegionStore.
class RegionDirectory {
 public:
  explicit RegionDirectory(RegionStore* store) : store_(store) {}

  absl::StatusOr<Region> GetRegion(absl::string_view code);
  absl::StatusOr<RegionPage> ListRegions(const ListRegionsQuery& q);
  absl::StatusOr<RegionPage> SearchRegions(const SearchRegionsQuery& q);
  absl::StatusOr<ImportOutcome> ImportRegions(const ImportRegionsCommand& cmd);

 private:
  absl::StatusOr<RegionPage> Page(const RegionFilter& filter, absl::string_view fingerprint, int page_size,
                                  absl::string_view page_token);
  RegionStore* store_;
};

}  // namespace kla::registry
