#include "libs/kernel/time.h"

#include "google/protobuf/util/time_util.h"

namespace kla {

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(ts));
}

const absl::TimeZone& Wib() {
  static const absl::TimeZone* const kWib = new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *kWib;
}

std::string FormatWib(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M WIB", t, Wib()); }

std::string FormatWibClock(absl::Time t) { return absl::FormatTime("%H:%M:%S WIB", t, Wib()); }

}  // namespace kla
