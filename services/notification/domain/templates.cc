#include "services/notification/domain/templates.h"

#include <google/protobuf/text_format.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "libs/common/errors.h"
#include "libs/common/points.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"

namespace kla::notification {
namespace {

constexpr const char* kPlaceholders[] = {"region",    "province", "cycle",      "cycle_name", "predicate", "total",
                                         "rank",      "stage",    "next_stage", "deadline",   "items",     "reason",
                                         "indicator", "decision", "awarded",    "regencies",  "provila",   "counts",
                                         "days",      "answered", "required"};

bool English(const std::string& language) { return language == "en"; }

std::string StageText(type::v1::Stage s, bool en) {
  switch (s) {
    case type::v1::STAGE_SELF_EVALUATION:
      return en ? "self-evaluation" : "evaluasi mandiri";
    case type::v1::STAGE_PROVINCIAL_VERIFICATION:
      return en ? "provincial verification" : "verifikasi provinsi";
    case type::v1::STAGE_CENTRAL_REVIEW:
      return en ? "central review" : "peninjauan pusat";
    case type::v1::STAGE_FIELD_VERIFICATION:
      return en ? "field verification" : "verifikasi lapangan";
    case type::v1::STAGE_FINAL_VERIFICATION:
      return en ? "final verification" : "verifikasi final";
    default:
      return en ? "final results" : "hasil akhir";
  }
}

type::v1::Stage StageOfPhase(registry::v1::CyclePhase p) {
  switch (p) {
    case registry::v1::CYCLE_PHASE_SELF_EVALUATION:
      return type::v1::STAGE_SELF_EVALUATION;
    case registry::v1::CYCLE_PHASE_PROVINCIAL_VERIFICATION:
      return type::v1::STAGE_PROVINCIAL_VERIFICATION;
    case registry::v1::CYCLE_PHASE_CENTRAL_REVIEW:
      return type::v1::STAGE_CENTRAL_REVIEW;
    case registry::v1::CYCLE_PHASE_FIELD_VERIFICATION:
      return type::v1::STAGE_FIELD_VERIFICATION;
    case registry::v1::CYCLE_PHASE_FINAL_VERIFICATION:
      return type::v1::STAGE_FINAL_VERIFICATION;
    default:
      return type::v1::STAGE_UNSPECIFIED;
  }
}

std::string PredicateText(type::v1::Predicate p, bool en) {
  switch (p) {
    case type::v1::PREDICATE_PRATAMA:
      return "Pratama";
    case type::v1::PREDICATE_MADYA:
      return "Madya";
    case type::v1::PREDICATE_NINDYA:
      return "Nindya";
    case type::v1::PREDICATE_UTAMA:
      return "Utama";
    case type::v1::PREDICATE_KLA:
      return "KLA";
    default:
      return en ? "no award" : "tanpa predikat";
  }
}

std::string When(const google::protobuf::Timestamp& ts) { return FormatWib(absl::FromUnixSeconds(ts.seconds())); }

std::string Name(const RegionNames& names, const std::string& code) {
  auto it = names.find(code);
  return it == names.end() ? code : it->second;
}

using PlaceholderValues = std::map<std::string, std::string>;

void AddReturnValues(const submission::v1::ReturnNotice& notice, bool en, PlaceholderValues* v) {
  (*v)["stage"] = StageText(notice.stage(), en);
  (*v)["deadline"] = When(notice.deadline());
  std::vector<std::string> items;
  for (const auto& i : notice.items()) items.push_back(absl::StrCat(i.item_id(), " (", i.reason(), ")"));
  (*v)["items"] = absl::StrJoin(items, "; ");
}

void AddSummaryValues(const scoring::v1::NationalSummaryPublished& s, bool en, PlaceholderValues* v) {
  (*v)["cycle_name"] = s.cycle_name();
  (*v)["awarded"] = std::to_string(s.awarded_count());
  (*v)["regencies"] = std::to_string(s.regency_count());
  std::vector<std::string> counts;
  for (const auto& c : s.counts()) {
    if (c.predicate() != type::v1::PREDICATE_NONE) {
      counts.push_back(absl::StrCat(PredicateText(c.predicate(), en), " ", c.count()));
    }
  }
  (*v)["counts"] = absl::StrJoin(counts, ", ");
  std::vector<std::string> provila;
  for (const auto& p : s.provila_provinces()) provila.push_back(p.name());
  (*v)["provila"] = provila.empty() ? (en ? "none yet" : "belum ada") : absl::StrJoin(provila, ", ");
}

void AddClosingSoonValues(const v1::StageClosingSoon& r, bool en, PlaceholderValues* v) {
  (*v)["stage"] = StageText(StageOfPhase(r.phase()), en);
  (*v)["deadline"] = When(r.close_time());
  const int days = r.days_left();
  (*v)["days"] = en ? absl::StrCat(days, days == 1 ? " day" : " days") : absl::StrCat(days, " hari");
  (*v)["answered"] = std::to_string(r.answered_items());
  (*v)["required"] = std::to_string(r.required_items());
}

// The placeholder values of one notification.
std::map<std::string, std::string> Values(const v1::Notification& n, bool en, const RegionNames& names) {
  std::map<std::string, std::string> v;
  v["cycle"] = n.cycle_id();
  v["cycle_name"] = absl::StrCat(en ? "KLA evaluation " : "Evaluasi KLA ", n.cycle_id());
  v["region"] = n.region().name().empty() ? Name(names, n.region().code()) : n.region().name();
  v["province"] = n.province().name();
  switch (n.event_case()) {
    case v1::Notification::kSubmissionSubmitted:
      v["stage"] = StageText(n.submission_submitted().stage(), en);
      break;
    case v1::Notification::kSubmissionReturned:
      AddReturnValues(n.submission_returned().notice(), en, &v);
      break;
    case v1::Notification::kSubmissionNotCompleted: {
      const auto& e = n.submission_not_completed();
      v["stage"] = StageText(e.stage(), en);
      v["reason"] = e.reason();
      break;
    }
    case v1::Notification::kSubmissionVerified:
      v["stage"] = StageText(n.submission_verified().stage(), en);
      v["next_stage"] = StageText(n.submission_verified().next_stage(), en);
      break;
    case v1::Notification::kObjectionFiled:
      v["indicator"] = std::to_string(n.objection_filed().objection().indicator());
      v["reason"] = n.objection_filed().objection().reason();
      break;
    case v1::Notification::kObjectionResolved: {
      const auto& o = n.objection_resolved().objection();
      v["indicator"] = std::to_string(o.indicator());
      v["reason"] = o.resolution();
      const bool accepted = o.state() == submission::v1::OBJECTION_STATE_ACCEPTED;
      v["decision"] = accepted ? (en ? "accepted" : "diterima") : (en ? "rejected" : "ditolak");
      break;
    }
    case v1::Notification::kProvisionalResults:
      v["cycle_name"] = n.provisional_results().cycle_name();
      v["regencies"] = std::to_string(n.provisional_results().results_size());
      break;
    case v1::Notification::kAwardAnnounced: {
      const auto& r = n.award_announced().result();
      v["cycle_name"] = n.award_announced().cycle_name();
      v["predicate"] = PredicateText(r.predicate(), en);
      v["total"] = FormatPoints(r.total().hundredths(), !en);
      v["rank"] = std::to_string(r.rank());
      break;
    }
    case v1::Notification::kCycleOpened: {
      const auto& c = n.cycle_opened().cycle();
      v["cycle_name"] = c.name();
      for (const auto& w : c.windows()) {
        if (w.phase() == registry::v1::CYCLE_PHASE_SELF_EVALUATION) v["deadline"] = When(w.close_time());
      }
      break;
    }
    case v1::Notification::kStageClosingSoon:
      AddClosingSoonValues(n.stage_closing_soon(), en, &v);
      break;
    case v1::Notification::kNationalSummary:
      AddSummaryValues(n.national_summary(), en, &v);
      break;
    default:
      break;
  }
  return v;
}

}  // namespace

absl::StatusOr<Templates> Templates::Parse(const std::string& textproto) {
  v1::TemplateSet set;
  if (!google::protobuf::TextFormat::ParseFromString(textproto, &set)) {
    return absl::InvalidArgumentError("templates: not a kla.notification.v1.TemplateSet textproto");
  }
  Templates out;
  Violations violations;
  for (int i = 0; i < set.templates_size(); ++i) {
    const v1::Template& t = set.templates(i);
    const std::string where = absl::StrCat("templates[", i, "]");
    if (t.language() != "id" && t.language() != "en") violations.Add(where + ".language", "\"id\" or \"en\"");
    if (t.type() == v1::EVENT_TYPE_UNSPECIFIED) violations.Add(where + ".type", "required");
    // Every {name} must be a known placeholder.
    for (const std::string* text : {&t.title(), &t.body()}) {
      for (size_t open = text->find('{'); open != std::string::npos; open = text->find('{', open + 1)) {
        const size_t close = text->find('}', open);
        const std::string name = close == std::string::npos ? "" : text->substr(open + 1, close - open - 1);
        if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), name) == std::end(kPlaceholders)) {
          violations.Add(where, absl::StrCat("unknown placeholder {", name, "}"));
        }
      }
    }
    if (!out.by_type_.emplace(std::make_pair(t.type(), t.language()), t).second) {
      violations.Add(where, "a second template for the same type and language");
    }
  }
  for (int t = v1::EventType_MIN + 1; t <= v1::EventType_MAX; ++t) {
    if (!v1::EventType_IsValid(t)) continue;
    for (const char* lang : {"id", "en"}) {
      if (!out.by_type_.contains({static_cast<v1::EventType>(t), lang})) {
        violations.Add("templates", absl::StrCat("no \"", lang, "\" template for ",
                                                 v1::EventType_Name(static_cast<v1::EventType>(t))));
      }
    }
  }
  KLA_RETURN_IF_ERROR(violations.ToStatus("templates are incomplete"));
  return out;
}

v1::Text Templates::Render(const v1::Notification& n, const std::string& language, const RegionNames& names) const {
  const std::string lang = English(language) ? "en" : "id";
  v1::Text out;
  out.set_language(lang);
  auto it = by_type_.find({n.type(), lang});
  if (it == by_type_.end()) return out;
  std::vector<std::pair<std::string, std::string>> replacements;
  for (const auto& [k, v] : Values(n, lang == "en", names)) replacements.emplace_back(absl::StrCat("{", k, "}"), v);
  out.set_title(absl::StrReplaceAll(it->second.title(), replacements));
  out.set_body(absl::StrReplaceAll(it->second.body(), replacements));
  return out;
}

}  // namespace kla::notification
