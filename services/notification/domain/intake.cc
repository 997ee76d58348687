#include "services/notification/domain/intake.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "kla/registry/v1/events.pb.h"
#include "kla/scoring/v1/events.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/outbox/outbox.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;

template <typename M>
bool Unpack(const event::v1::EventEnvelope& e, M* out) {
  return outbox::TypeNameOf(e) == M::descriptor()->full_name() && e.payload().UnpackTo(out);
}

}  // namespace

absl::StatusOr<v1::Notification> FromEvent(const event::v1::EventEnvelope& event, absl::Time accepted) {
  v1::Notification n;
  n.set_message_id(absl::StrCat("msg_", absl::StrReplaceAll(event.event_id(), {{"-", ""}})));
  *n.mutable_occur_time() = event.occurred_at();
  *n.mutable_publish_time() = ToProtoTime(accepted);
  std::string region;
  if (Unpack(event, n.mutable_submission_submitted())) {
    n.set_type(v1::EVENT_TYPE_SUBMISSION_SUBMITTED);
    n.set_cycle_id(n.submission_submitted().cycle_id());
    region = n.submission_submitted().region_code();
  } else if (Unpack(event, n.mutable_submission_returned())) {
    n.set_type(v1::EVENT_TYPE_SUBMISSION_RETURNED);
    n.set_cycle_id(n.submission_returned().cycle_id());
    region = n.submission_returned().region_code();
  } else if (Unpack(event, n.mutable_submission_not_completed())) {
    n.set_type(v1::EVENT_TYPE_SUBMISSION_NOT_COMPLETED);
    n.set_cycle_id(n.submission_not_completed().cycle_id());
    region = n.submission_not_completed().region_code();
  } else if (Unpack(event, n.mutable_submission_verified())) {
    n.set_type(v1::EVENT_TYPE_SUBMISSION_VERIFIED);
    n.set_cycle_id(n.submission_verified().cycle_id());
    region = n.submission_verified().region_code();
  } else if (Unpack(event, n.mutable_objection_filed())) {
    n.set_type(v1::EVENT_TYPE_OBJECTION_FILED);
    n.set_cycle_id(n.objection_filed().cycle_id());
    region = n.objection_filed().region_code();
  } else if (Unpack(event, n.mutable_objection_resolved())) {
    n.set_type(v1::EVENT_TYPE_OBJECTION_RESOLVED);
    n.set_cycle_id(n.objection_resolved().cycle_id());
    region = n.objection_resolved().region_code();
  } else if (Unpack(event, n.mutable_provisional_results())) {
    n.set_type(v1::EVENT_TYPE_PROVISIONAL_RESULTS);
    n.set_cycle_id(n.provisional_results().cycle_id());
  } else if (Unpack(event, n.mutable_award_announced())) {
    const auto& a = n.award_announced();
    n.set_type(v1::EVENT_TYPE_AWARD_ANNOUNCED);
    n.set_cycle_id(a.cycle_id());
    *n.mutable_region() = a.result().region();
    *n.mutable_province() = a.result().province();
    // Embargo: not before the announcement.
    if (a.has_embargo_until() && TimeUtil::TimestampToMicroseconds(a.embargo_until()) > absl::ToUnixMicros(accepted)) {
      *n.mutable_publish_time() = a.embargo_until();
    }
  } else if (Unpack(event, n.mutable_national_summary())) {
    const auto& s = n.national_summary();
    n.set_type(v1::EVENT_TYPE_NATIONAL_SUMMARY);
    n.set_cycle_id(s.cycle_id());
    if (s.has_embargo_until() && TimeUtil::TimestampToMicroseconds(s.embargo_until()) > absl::ToUnixMicros(accepted)) {
      *n.mutable_publish_time() = s.embargo_until();
    }
  } else if (Unpack(event, n.mutable_cycle_opened())) {
    n.set_type(v1::EVENT_TYPE_CYCLE_OPENED);
    n.set_cycle_id(n.cycle_opened().cycle().id());
  } else if (Unpack(event, n.mutable_stage_closing_soon())) {
    n.set_type(v1::EVENT_TYPE_STAGE_CLOSING_SOON);
    n.set_cycle_id(n.stage_closing_soon().cycle_id());
    region = n.stage_closing_soon().region_code();
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("notification does not know event type ", outbox::TypeNameOf(event)));
  }
  if (!region.empty()) {
    n.mutable_region()->set_code(region);
    n.mutable_province()->set_code(ProvinceOf(region));
  }
  return n;
}

bool Matches(const v1::Notification& n, const google::protobuf::RepeatedField<int>& types,
             const google::protobuf::RepeatedPtrField<std::string>& regions) {
  if (!types.empty() && std::find(types.begin(), types.end(), static_cast<int>(n.type())) == types.end()) {
    return false;
  }
  if (regions.empty() || n.region().code().empty()) return true;  // national notifications pass
  for (const auto& r : regions) {
    if (r == n.region().code() || r == n.province().code()) return true;
  }
  return false;
}

}  // namespace kla::notification
