#pragma once

// A registry for scoring tests: two provinces, five kabupaten/kota, a
// rulebook whose one CHOICE item turns "pNN" into NN x 10 points (so any
// total is one answer), and cycles set up by the test.

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "kla/event/v1/event.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/errors.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring::fakes {

// Bands of the rulebooks in use: 500,00 / 601,00 / 701,00 / 801,00 / 901,00.
inline registry::v1::Rulebook PercentRulebook(const std::string& version, int scale_percent = 100) {
  registry::v1::Rulebook rb;
  rb.set_version(version);
  auto* c = rb.add_clusters();
  c->set_cluster(type::v1::CLUSTER_KELEMBAGAAN);
  c->set_name("Penguatan Kelembagaan");
  c->mutable_max_points()->set_hundredths(100000);
  auto* ind = rb.add_indicators();
  ind->set_number(1);
  ind->set_cluster(type::v1::CLUSTER_KELEMBAGAAN);
  ind->set_name("Peraturan tentang KLA");
  ind->mutable_max_points()->set_hundredths(100000);
  auto* item = ind->add_items();
  item->set_id("1.1");
  item->set_question("Capaian");
  item->set_type(registry::v1::ITEM_TYPE_CHOICE);
  item->set_weight(80);
  item->set_owner_opd("Bappeda");
  for (int i = 0; i <= 100; ++i) {
    auto* o = item->add_options();
    o->set_id(absl::StrCat("p", i));
    o->set_share_percent(std::min(100, i * scale_percent / 100));
  }
  auto* doc = ind->add_items();  // the other 20 %: a yes/no with evidence
  doc->set_id("1.2");
  doc->set_question("SK Gugus Tugas");
  doc->set_type(registry::v1::ITEM_TYPE_BOOLEAN);
  doc->set_weight(20);
  doc->set_evidence_required(true);
  doc->set_owner_opd("Bagian Hukum");
  const std::pair<type::v1::Predicate, int64_t> bands[] = {{type::v1::PREDICATE_PRATAMA, 50000},
                                                           {type::v1::PREDICATE_MADYA, 60100},
                                                           {type::v1::PREDICATE_NINDYA, 70100},
                                                           {type::v1::PREDICATE_UTAMA, 80100},
                                                           {type::v1::PREDICATE_KLA, 90100}};
  for (const auto& [p, min] : bands) {
    auto* b = rb.add_bands();
    b->set_predicate(p);
    b->mutable_min_score()->set_hundredths(min);
  }
  rb.mutable_field_verification_threshold()->set_hundredths(70100);
  return rb;
}

class FakeDirectory final : public ScoringDirectory {
 public:
  FakeDirectory() {
    auto list = std::make_shared<RegionList>();
    for (const auto& [code, name, pname] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"11.01", "Kabupaten Aceh Selatan", "Aceh"},
                                                                        {"11.02", "Kabupaten Aceh Tenggara", "Aceh"},
                                                                        {"35.05", "Kabupaten Blitar", "Jawa Timur"},
                                                                        {"35.72", "Kota Blitar", "Jawa Timur"},
                                                                        {"35.78", "Kota Surabaya", "Jawa Timur"}}) {
      const auto level = name.rfind("Kota ", 0) == 0 ? type::v1::REGION_LEVEL_KOTA : type::v1::REGION_LEVEL_KABUPATEN;
      (*list)[code] = RegionInfo{code, name, code.substr(0, 2), pname, level};
    }
    regions_ = list;
    AddRulebook(PercentRulebook("uji-1"));
  }

  void AddRulebook(registry::v1::Rulebook rb) {
    const std::string version = rb.version();  // before the move below
    std::lock_guard lock(mu_);
    rulebooks_[version] = std::make_shared<const registry::v1::Rulebook>(std::move(rb));
  }
  registry::v1::Cycle& Cycle(const std::string& id) {
    std::lock_guard lock(mu_);
    registry::v1::Cycle& c = cycles_[id];
    if (c.id().empty()) {
      c.set_id(id);
      c.set_name(absl::StrCat("Evaluasi KLA ", id));
      c.set_rulebook_version("uji-1");
      c.set_state(registry::v1::CYCLE_STATE_SELF_EVALUATION);
    }
    return c;
  }

  absl::StatusOr<std::shared_ptr<const registry::v1::Cycle>> GetCycle(const std::string& cycle_id,
                                                                      bool /*fresh*/) override {
    std::lock_guard lock(mu_);
    auto it = cycles_.find(cycle_id);
    if (it == cycles_.end()) return NotFound("cycle", cycle_id);
    return std::make_shared<const registry::v1::Cycle>(it->second);
  }
  absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() override {
    std::lock_guard lock(mu_);
    std::vector<registry::v1::Cycle> out;
    for (const auto& [id, c] : cycles_) out.push_back(c);
    return out;
  }
  absl::StatusOr<std::shared_ptr<const registry::v1::Rulebook>> GetRulebook(const std::string& version) override {
    std::lock_guard lock(mu_);
    auto it = rulebooks_.find(version);
    if (it == rulebooks_.end()) return NotFound("rulebook", version);
    return it->second;
  }
  absl::StatusOr<std::shared_ptr<const RegionList>> Regencies() override { return regions_; }
  // The cycle's window of `phase`, or a region's own close set in `closes`.
  absl::StatusOr<absl::Time> CloseFor(const std::string& cycle_id, const std::string& region_code,
                                      registry::v1::CyclePhase phase) override {
    std::lock_guard lock(mu_);
    if (auto it = closes.find({region_code, phase}); it != closes.end()) return it->second;
    for (const auto& w : cycles_[cycle_id].windows()) {
      if (w.phase() == phase) return absl::FromUnixSeconds(w.close_time().seconds());
    }
    return absl::InfiniteFuture();
  }
  std::map<std::pair<std::string, registry::v1::CyclePhase>, absl::Time> closes;

 private:
  std::mutex mu_;
  std::map<std::string, registry::v1::Cycle> cycles_;
  std::map<std::string, std::shared_ptr<const registry::v1::Rulebook>> rulebooks_;
  std::shared_ptr<const RegionList> regions_;
};

// Stage answers: "1.1" = p<percent>, "1.2" yes with evidence when `documented`.
// The envelope a StageAnswersChanged arrives in from the submission
// service's relay.
inline event::v1::EventEnvelope Delivered(const std::string& event_id) {
  event::v1::EventEnvelope e;
  e.set_event_id(event_id);
  e.set_source("submission");
  e.set_target("scoring");
  e.mutable_payload()->PackFrom(submission::v1::StageAnswersChanged());
  return e;
}

inline submission::v1::StageAnswers Answers(const std::string& cycle, const std::string& region, type::v1::Stage stage,
                                            int percent, int64_t revision = 1, bool documented = true) {
  submission::v1::StageAnswers a;
  a.set_cycle_id(cycle);
  a.set_region_code(region);
  a.set_stage(stage);
  a.set_rulebook_version("uji-1");
  a.set_revision(revision);
  auto* x = a.add_answers();
  x->set_item_id("1.1");
  x->mutable_value()->set_choice(absl::StrCat("p", percent));
  auto* y = a.add_answers();
  y->set_item_id("1.2");
  y->mutable_value()->set_boolean(true);
  if (documented) y->add_evidence_ids("ev-1");
  return a;
}

}  // namespace kla::scoring::fakes
