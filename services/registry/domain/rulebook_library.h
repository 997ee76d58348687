#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "libs/common/clock.h"
#include "libs/common/errors.h"

namespace kla::registry {

// A rulebook as stored: content plus bookkeeping.
struct RulebookRecord {
  v1::Rulebook rulebook;
  std::string sha256;
  absl::Time uploaded_at;
  int item_count = 0;
};

// Where rulebooks live.
class RulebookStore {
 public:
  virtual ~RulebookStore() = default;
  // Stores `record` unless its version exists. Returns the stored record and
  // whether it was created; an existing version is returned as it is.
  virtual absl::StatusOr<std::pair<RulebookRecord, bool>> PutIfAbsent(const RulebookRecord& record) = 0;
  virtual absl::StatusOr<std::optional<RulebookRecord>> Get(absl::string_view version) = 0;
  // Versions > `after`, ordered, at most `limit`.
  virtual absl::StatusOr<std::vector<RulebookRecord>> List(absl::string_view after, int limit) = 0;
};

// Where a rulebook comes from in a request.
struct RulebookSource {
  std::optional<v1::Rulebook> rulebook;
  std::optional<std::string> textproto;
};

struct ValidationReport {
  std::vector<FieldViolation> violations;
  int indicator_count = 0;
  int item_count = 0;
};

struct RulebookPage {
  std::vector<RulebookRecord> rulebooks;
  std::string next_page_token;
};

// The rulebook use cases: validate, upload (immutable versions), read.
class RulebookLibrary {
 public:
  RulebookLibrary(RulebookStore* store, const Clock* clock) : store_(store), clock_(clock) {}

  absl::StatusOr<ValidationReport> Validate(const RulebookSource& source);
  // Returns the stored record and whether this call created it.
  absl::StatusOr<std::pair<RulebookRecord, bool>> Upload(absl::string_view request_id, const RulebookSource& source);
  absl::StatusOr<RulebookRecord> Get(absl::string_view version);
  absl::StatusOr<RulebookPage> List(int page_size, absl::string_view page_token);

 private:
  static absl::StatusOr<v1::Rulebook> Resolve(const RulebookSource& source);
  RulebookStore* store_;
  const Clock* clock_;
};

}  // namespace kla::registry
