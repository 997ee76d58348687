#include "services/registry/domain/training.h"

#include <google/protobuf/util/time_util.h>

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/csv.h"
#include "services/registry/domain/region.h"
#include "services/registry/domain/taskforce.h"

namespace kla::registry {

absl::Status TrainingRegistry::CheckRegion(absl::string_view field, absl::string_view code) {
  KLA_RETURN_IF_ERROR(ValidateRegionCode(field, code));
  KLA_ASSIGN_OR_RETURN(std::optional<Region> r, regions_->Get(code));
  if (!r) return NotFound("region", code);
  return absl::OkStatus();
}

absl::StatusOr<v1::Training> TrainingRegistry::Create(const v1::Training& t, absl::string_view request_id) {
  Violations v;
  if (request_id.empty()) v.Add("request_id", "required: a client-chosen id such as a UUID");
  if (t.title().empty()) v.Add("training.title", "required");
  if (t.organiser().empty()) v.Add("training.organiser", "required");
  if (!IsDate(t.start_date())) v.Add("training.start_date", "required: YYYY-MM-DD");
  if (!IsDate(t.end_date())) {
    v.Add("training.end_date", "required: YYYY-MM-DD");
  } else if (IsDate(t.start_date()) && t.end_date() < t.start_date()) {
    v.Add("training.end_date", "is before the start date");
  }
  if (t.venue().empty()) v.Add("training.venue", "required");
  if (!IsProvinceCode(t.region_code()) && !IsRegencyCode(t.region_code())) {
    v.Add("training.region_code", "required: the organising region, e.g. \"35.72\"");
  }
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid training"));
  KLA_RETURN_IF_ERROR(CheckRegion("training.region_code", t.region_code()));
  v1::Training stored = t;
  stored.clear_id();
  stored.clear_participant_count();
  *stored.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  return store_->Create(stored, request_id);
}

absl::StatusOr<v1::Training> TrainingRegistry::Get(absl::string_view id) {
  if (id.empty()) return InvalidField("training_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::Training> t, store_->Get(id));
  if (!t) return NotFound("training", id);
  return *t;
}

absl::StatusOr<v1::Training> TrainingRegistry::GetInRegion(absl::string_view region_code, absl::string_view id) {
  KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", region_code));
  KLA_ASSIGN_OR_RETURN(v1::Training t, Get(id));
  if (t.region_code() != region_code) return NotFound("training", id);
  return t;
}

absl::StatusOr<std::vector<v1::Training>> TrainingRegistry::List(absl::string_view region_code, int year) {
  if (!region_code.empty()) KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", region_code));
  if (year != 0 && (year < 2000 || year > 2100)) return InvalidField("year", "a calendar year such as 2025, or 0");
  const std::string from = year == 0 ? "0000-01-01" : absl::StrCat(year, "-01-01");
  const std::string to = year == 0 ? "9999-12-31" : absl::StrCat(year, "-12-31");
  return store_->List(region_code, from, to);
}

absl::StatusOr<ImportedParticipants> TrainingRegistry::ImportParticipants(absl::string_view region_code,
                                                                          absl::string_view training_id,
                                                                          absl::string_view csv,
                                                                          absl::string_view request_id,
                                                                          const auth::Principal& caller) {
  KLA_RETURN_IF_ERROR(GetInRegion(region_code, training_id).status());
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id such as a UUID");
  if (!IsValidUtf8(csv)) return InvalidField("csv", "not valid UTF-8");
  auto bad = [](int line, const std::string& what) {
    return InvalidField("csv", absl::StrCat("line ", line, ": ", what));
  };
  std::vector<v1::TrainingParticipant> people;
  std::set<std::string> seen;
  std::map<std::string, size_t> col;
  auto records = ParseCsv(csv);
  if (!records.ok()) return InvalidField("csv", records.status().message());
  for (CsvRecord& record : *records) {
    const int line_no = record.line;
    std::vector<std::string>* fields = &record.fields;
    for (auto& f : *fields) f = std::string(absl::StripAsciiWhitespace(f));
    if (col.empty()) {
      for (size_t i = 0; i < fields->size(); ++i) col[absl::AsciiStrToLower((*fields)[i])] = i;
      for (const char* need : {"name", "agency", "region_code"}) {
        if (!col.contains(need)) return bad(line_no, "header must name the columns name,agency,region_code[,position]");
      }
      continue;
    }
    if (fields->size() != col.size()) {
      return bad(line_no, absl::StrCat("expected ", col.size(), " fields, found ", fields->size()));
    }
    v1::TrainingParticipant p;
    p.set_name((*fields)[col["name"]]);
    p.set_agency((*fields)[col["agency"]]);
    p.set_region_code((*fields)[col["region_code"]]);
    if (col.contains("position")) p.set_position((*fields)[col["position"]]);
    if (p.name().empty()) return bad(line_no, "name is empty");
    if (p.agency().empty()) return bad(line_no, "agency is empty");
    if (!IsProvinceCode(p.region_code()) && !IsRegencyCode(p.region_code())) {
      return bad(line_no, absl::StrCat("\"", p.region_code().substr(0, 16), "\" is not a region code"));
    }
    KLA_ASSIGN_OR_RETURN(std::optional<Region> region, regions_->Get(p.region_code()));
    if (!region) return bad(line_no, absl::StrCat("region ", p.region_code(), " does not exist"));
    if (!auth::InScope(caller, p.region_code())) {
      return WithReason(absl::PermissionDeniedError(absl::StrCat("csv line ", line_no, ": region ", p.region_code(),
                                                                 " is outside your reach; nothing was imported")),
                        "OUT_OF_SCOPE", {{"region", p.region_code()}, {"line", std::to_string(line_no)}});
    }
    const std::string key = absl::StrCat(FoldForSearch(p.name()), "|", FoldForSearch(p.agency()), "|", p.region_code());
    if (!seen.insert(key).second) return bad(line_no, absl::StrCat(p.name(), " appears twice in the file"));
    people.push_back(std::move(p));
  }
  if (col.empty()) return InvalidField("csv", "empty file: a header and at least one participant");
  if (people.empty()) return InvalidField("csv", "no participants in the file");
  return store_->AddParticipants(training_id, people, request_id);
}

absl::StatusOr<std::vector<v1::TrainingParticipant>> TrainingRegistry::Participants(absl::string_view region_code,
                                                                                    absl::string_view training_id) {
  KLA_RETURN_IF_ERROR(GetInRegion(region_code, training_id).status());
  return store_->Participants(training_id);
}

absl::StatusOr<std::vector<v1::TrainedStaffCount>> TrainingRegistry::CountTrained(absl::string_view region_code,
                                                                                  absl::string_view from,
                                                                                  absl::string_view to) {
  Violations v;
  if (!IsProvinceCode(region_code) && !IsRegencyCode(region_code)) v.Add("region_code", "required, e.g. \"35.72\"");
  if (!IsDate(from)) v.Add("from_date", "required: YYYY-MM-DD");
  if (!IsDate(to)) v.Add("to_date", "required: YYYY-MM-DD");
  if (IsDate(from) && IsDate(to) && to < from) v.Add("to_date", "is before from_date");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid period"));
  return store_->CountTrained(region_code, from, to);
}

}  // namespace kla::registry
