#include "services/registry/domain/rulebook.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace kla::registry {
namespace {

using kla::type::v1::Cluster;

std::string Pts(int64_t hundredths) { return absl::StrFormat("%d.%02d", hundredths / 100, hundredths % 100); }

bool ValidVersion(const std::string& v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

bool ValidMediaType(const std::string& m) {
  const size_t slash = m.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < m.size() &&
         m.find('/', slash + 1) == std::string::npos && m.find(' ') == std::string::npos;
}

class Checker {
 public:
  explicit Checker(const v1::Rulebook& rb) : rb_(rb) {}

  std::vector<FieldViolation> Run() {
    if (!ValidVersion(rb_.version())) {
      Add("version", "required: letters, digits, '.', '-' or '_', at most 64 characters (e.g. \"2023.1\")");
    }
    if (rb_.title().empty()) Add("title", "required");
    CheckClusters();
    CheckIndicators();
    CheckBands();
    const int64_t fv = rb_.field_verification_threshold().hundredths();
    if (fv <= 0 || fv > kTotalHundredths) Add("field_verification_threshold", "must be above 0 and at most 1000.00");
    return std::move(out_);
  }

 private:
  void Add(std::string field, std::string what) { out_.push_back({std::move(field), std::move(what)}); }

  void CheckClusters() {
    int64_t sum = 0;
    for (int i = 0; i < rb_.clusters_size(); ++i) {
      const auto& c = rb_.clusters(i);
      const std::string f = absl::StrCat("clusters[", i, "]");
      if (c.cluster() == type::v1::CLUSTER_UNSPECIFIED || !type::v1::Cluster_IsValid(c.cluster())) {
        Add(f + ".cluster", "required: KELEMBAGAAN or K1..K5");
      } else if (!cluster_max_.emplace(c.cluster(), c.max_points().hundredths()).second) {
        Add(f + ".cluster", absl::StrCat(type::v1::Cluster_Name(c.cluster()), " appears twice"));
      }
      if (c.name().empty()) Add(f + ".name", "required");
      if (c.max_points().hundredths() <= 0) Add(f + ".max_points", "must be positive");
      sum += c.max_points().hundredths();
    }
    for (int c = type::v1::CLUSTER_KELEMBAGAAN; c <= type::v1::CLUSTER_K5_PERLINDUNGAN_KHUSUS; ++c) {
      if (!cluster_max_.contains(static_cast<Cluster>(c))) {
        Add("clusters", absl::StrCat(type::v1::Cluster_Name(static_cast<Cluster>(c)), " is missing"));
      }
    }
    if (sum != kTotalHundredths) {
      Add("clusters", absl::StrCat("cluster max_points add up to ", Pts(sum), ", not 1000.00"));
    }
  }

  void CheckIndicators() {
    if (rb_.indicators_size() == 0) Add("indicators", "required: at least one indicator");
    std::map<Cluster, int64_t> per_cluster;
    std::set<int> numbers;
    std::set<std::string> item_ids;
    for (int i = 0; i < rb_.indicators_size(); ++i) {
      const auto& ind = rb_.indicators(i);
      const std::string f = absl::StrCat("indicators[", i, "]");
      if (ind.number() != i + 1) {
        Add(f + ".number", absl::StrCat("is ", ind.number(), "; indicators are numbered 1, 2, ... in order"));
      }
      numbers.insert(ind.number());
      if (!cluster_max_.contains(ind.cluster())) {
        Add(f + ".cluster", "must be one of the rulebook's clusters");
      } else {
        per_cluster[ind.cluster()] += ind.max_points().hundredths();
      }
      if (ind.name().empty()) Add(f + ".name", "required");
      if (ind.max_points().hundredths() <= 0) Add(f + ".max_points", "must be positive");
      if (ind.items_size() == 0) Add(f + ".items", "required: at least one item");
      int weights = 0;
      for (int j = 0; j < ind.items_size(); ++j) {
        weights += ind.items(j).weight();
        CheckItem(ind, ind.items(j), absl::StrCat(f, ".items[", j, "]"), &item_ids);
      }
      if (ind.items_size() > 0 && weights != 100) {
        Add(f + ".items", absl::StrCat("item weights add up to ", weights, ", not 100"));
      }
    }
    for (const auto& [cluster, max] : cluster_max_) {
      if (per_cluster[cluster] != max) {
        Add("indicators", absl::StrCat("indicators of ", type::v1::Cluster_Name(cluster), " add up to ",
                                       Pts(per_cluster[cluster]), " points, the cluster has ", Pts(max)));
      }
    }
  }

  void CheckItem(const v1::IndicatorRule& ind, const v1::ItemRule& item, const std::string& f,
                 std::set<std::string>* ids) {
    const std::string prefix = absl::StrCat(ind.number(), ".");
    if (item.id().size() <= prefix.size() || item.id().rfind(prefix, 0) != 0) {
      Add(f + ".id", absl::StrCat("\"", item.id(), "\" must look like \"", prefix, "1\""));
    } else if (!ids->insert(item.id()).second) {
      Add(f + ".id", absl::StrCat("\"", item.id(), "\" appears twice"));
    }
    if (item.question().empty()) Add(f + ".question", "required");
    if (item.weight() < 0 || item.weight() > 100) Add(f + ".weight", "must be 0 to 100");
    const bool scored = item.weight() > 0;
    switch (item.type()) {
      case v1::ITEM_TYPE_BOOLEAN:
        break;
      case v1::ITEM_TYPE_CHOICE:
        CheckOptions(item, f);
        break;
      case v1::ITEM_TYPE_PERCENT:
      case v1::ITEM_TYPE_COUNT:
        CheckSteps(item, f);
        break;
      case v1::ITEM_TYPE_TEXT:
        if (scored) Add(f + ".weight", "a TEXT item is not scored: weight must be 0");
        break;
      default:
        Add(f + ".type", "required: BOOLEAN, CHOICE, PERCENT, COUNT or TEXT");
    }
    // With no valid type, options and steps cannot be judged: one mistake, one violation.
    const bool typed = item.type() != v1::ITEM_TYPE_UNSPECIFIED && v1::ItemType_IsValid(item.type());
    if (typed && item.type() != v1::ITEM_TYPE_CHOICE && item.options_size() > 0) {
      Add(f + ".options", "only CHOICE items have options");
    }
    if (typed && item.type() != v1::ITEM_TYPE_PERCENT && item.type() != v1::ITEM_TYPE_COUNT && item.steps_size() > 0) {
      Add(f + ".steps", "only PERCENT and COUNT items have steps");
    }
    if (item.evidence_required() && item.evidence_media_types_size() == 0) {
      Add(f + ".evidence_media_types", "required when evidence is required");
    }
    for (int k = 0; k < item.evidence_media_types_size(); ++k) {
      if (!ValidMediaType(item.evidence_media_types(k))) {
        Add(absl::StrCat(f, ".evidence_media_types[", k, "]"),
            absl::StrCat("\"", item.evidence_media_types(k), "\" is not a media type like application/pdf"));
      }
    }
    if (scored && item.owner_opd().empty()) Add(f + ".owner_opd", "required for a scored item");
  }

  void CheckOptions(const v1::ItemRule& item, const std::string& f) {
    if (item.options_size() < 2) Add(f + ".options", "a CHOICE item needs at least two options");
    std::set<std::string> ids;
    int best = 0;
    for (int k = 0; k < item.options_size(); ++k) {
      const auto& o = item.options(k);
      const std::string of = absl::StrCat(f, ".options[", k, "]");
      if (o.id().empty() || !ids.insert(o.id()).second) Add(of + ".id", "required and unique within the item");
      if (o.label().empty()) Add(of + ".label", "required");
      if (o.share_percent() < 0 || o.share_percent() > 100) Add(of + ".share_percent", "must be 0 to 100");
      best = std::max(best, o.share_percent());
    }
    if (item.options_size() >= 2 && best != 100) {
      Add(f + ".options", "no option earns the whole weight (100 %): the choices do not cover the item's points");
    }
  }

  void CheckSteps(const v1::ItemRule& item, const std::string& f) {
    if (item.steps_size() == 0) {
      Add(f + ".steps", "required: at least one threshold");
      return;
    }
    for (int k = 0; k < item.steps_size(); ++k) {
      const auto& s = item.steps(k);
      const std::string sf = absl::StrCat(f, ".steps[", k, "]");
      if (s.min_hundredths() < 0) Add(sf + ".min_hundredths", "must not be negative");
      if (item.type() == v1::ITEM_TYPE_PERCENT && s.min_hundredths() > 10000) {
        Add(sf + ".min_hundredths", "a percentage is at most 100.00 (10000)");
      }
      if (s.share_percent() < 0 || s.share_percent() > 100) Add(sf + ".share_percent", "must be 0 to 100");
      if (k > 0) {
        if (s.min_hundredths() <= item.steps(k - 1).min_hundredths()) {
          Add(sf + ".min_hundredths", "thresholds must be in ascending order");
        }
        if (s.share_percent() < item.steps(k - 1).share_percent()) {
          Add(sf + ".share_percent", "a higher threshold cannot earn a smaller share");
        }
      }
    }
    if (item.steps(item.steps_size() - 1).share_percent() != 100) {
      Add(f + ".steps", "the last threshold must earn 100 %");
    }
  }

  void CheckBands() {
    if (rb_.bands_size() == 0) Add("bands", "required: the minimum score of each predicate");
    for (int i = 0; i < rb_.bands_size(); ++i) {
      const auto& b = rb_.bands(i);
      const std::string f = absl::StrCat("bands[", i, "]");
      if (b.predicate() < type::v1::PREDICATE_PRATAMA || !type::v1::Predicate_IsValid(b.predicate())) {
        Add(f + ".predicate", "must be PRATAMA, MADYA, NINDYA, UTAMA or KLA");
      }
      if (b.min_score().hundredths() <= 0 || b.min_score().hundredths() > kTotalHundredths) {
        Add(f + ".min_score", "must be above 0 and at most 1000.00");
      }
      if (i > 0) {
        if (b.predicate() <= rb_.bands(i - 1).predicate()) {
          Add(f + ".predicate", "bands go from the lowest predicate to the highest, each once");
        }
        if (b.min_score().hundredths() <= rb_.bands(i - 1).min_score().hundredths()) {
          Add(f + ".min_score", "bands must be in ascending order of score");
        }
      }
    }
  }

  const v1::Rulebook& rb_;
  std::map<Cluster, int64_t> cluster_max_;
  std::vector<FieldViolation> out_;
};

class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    errors.push_back({"textproto", absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message)});
  }
  std::vector<FieldViolation> errors;
};

}  // namespace

std::vector<FieldViolation> ValidateRulebook(const v1::Rulebook& rulebook) { return Checker(rulebook).Run(); }

absl::StatusOr<v1::Rulebook> ParseRulebookText(absl::string_view text) {
  v1::Rulebook rb;
  google::protobuf::TextFormat::Parser parser;
  Collector collector;
  parser.RecordErrorsTo(&collector);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&input, &rb)) {
    if (collector.errors.empty()) collector.errors.push_back({"textproto", "not a valid rulebook textproto"});
    return InvalidArgumentWithViolations("the rulebook file cannot be read", collector.errors);
  }
  return rb;
}

std::string RulebookHash(const v1::Rulebook& rulebook) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    rulebook.SerializeToCodedStream(&coded);
  }
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

int ItemCount(const v1::Rulebook& rulebook) {
  int n = 0;
  for (const auto& ind : rulebook.indicators()) n += ind.items_size();
  return n;
}

namespace {

std::string OptionIds(const v1::ItemRule& item) {
  std::vector<std::string> ids;
  for (const auto& o : item.options()) ids.push_back(o.id());
  std::sort(ids.begin(), ids.end());
  return absl::StrJoin(ids, ",");
}

}  // namespace

absl::Status CheckCorrection(const v1::Rulebook& in_force, const v1::Rulebook& correction) {
  auto differs = [&](const std::string& what) {
    return InvalidField("cycle.rulebook_version",
                        absl::StrCat("rulebook ", correction.version(), " is not a correction of ", in_force.version(),
                                     " (an open cycle keeps its items): ", what));
  };
  if (in_force.indicators_size() != correction.indicators_size()) {
    return differs(absl::StrCat(correction.indicators_size(), " indicators instead of ", in_force.indicators_size()));
  }
  for (int i = 0; i < in_force.indicators_size(); ++i) {
    const auto& was = in_force.indicators(i);
    const auto& now = correction.indicators(i);
    if (was.items_size() != now.items_size()) {
      return differs(
          absl::StrCat("indicator ", was.number(), " has ", now.items_size(), " items instead of ", was.items_size()));
    }
    for (int j = 0; j < was.items_size(); ++j) {
      const auto& a = was.items(j);
      const auto& b = now.items(j);
      if (a.id() != b.id()) return differs(absl::StrCat("item ", b.id(), " where ", a.id(), " was"));
      if (a.type() != b.type()) return differs(absl::StrCat("item ", a.id(), " changes its type"));
      if (OptionIds(a) != OptionIds(b)) return differs(absl::StrCat("item ", a.id(), " changes its options"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kla::registry
