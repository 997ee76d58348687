#include "libs/kernel/etag.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kla {

std::string FormatEtag(char kind, int64_t version) {
  return version == 0 ? std::string() : absl::StrCat(std::string(1, kind), version);
}

std::optional<int64_t> ParseEtag(char kind, absl::string_view etag) {
  int64_t version = 0;
  if (etag.size() < 2 || etag[0] != kind || !absl::SimpleAtoi(etag.substr(1), &version) || version <= 0) {
    return std::nullopt;
  }
  return version;
}

}  // namespace kla
