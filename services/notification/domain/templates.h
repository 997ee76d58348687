#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "kla/notification/v1/notification.pb.h"
#include "kla/notification/v1/templates.pb.h"

namespace kla::notification {

// Region names by code, for texts about events that carry only codes.
using RegionNames = std::map<std::string, std::string>;

// The notification texts (templates/notification.textproto), checked when
// loaded: every event type in "id" and "en", only known placeholders.
class Templates {
 public:
  // INVALID_ARGUMENT naming every problem.
  static absl::StatusOr<Templates> Parse(const std::string& textproto);
  // The copy of templates/notification.textproto built into the binary.
  static const std::string& BuiltIn();

  // The text of `n` in `language` ("id" or "en"; anything else: "id").
  v1::Text Render(const v1::Notification& n, const std::string& language, const RegionNames& names) const;

 private:
  std::map<std::pair<v1::EventType, std::string>, v1::Template> by_type_;
};

}  // namespace kla::notification
