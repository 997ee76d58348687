#pragma once

// Time as kla shows and sends it: protobuf Timestamps on the wire,
// absl::Time inside, Western Indonesian Time (WIB, UTC+7) for people.

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace kla {

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& ts);

// UTC+7, in which officials read every deadline (Indonesia has kept no
// daylight saving time).
const absl::TimeZone& Wib();
// "2025-04-17 23:59 WIB".
std::string FormatWib(absl::Time t);
// "23:59:05 WIB": a moment later today, as a lockout's end.
std::string FormatWibClock(absl::Time t);

}  // namespace kla
