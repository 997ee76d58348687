#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/common/errors.h"
#include "libs/score/answer_check.h"

namespace kla::submission {

// A rulebook prepared for answering: items by id with their indicator,
// cluster and position. Immutable, shared between calls.
class RulebookIndex {
 public:
  struct Item {
    const registry::v1::ItemRule* rule;
    int indicator;
    type::v1::Cluster cluster;
    int position;  // in rulebook order
  };

  explicit RulebookIndex(registry::v1::Rulebook rulebook);

  const registry::v1::Rulebook& rulebook() const { return rulebook_; }
  const std::string& version() const { return rulebook_.version(); }
  // nullptr for an unknown id.
  const Item* Find(const std::string& item_id) const;
  // Every item, in rulebook order.
  const std::vector<std::string>& item_ids() const { return order_; }
  size_t size() const { return order_.size(); }

 private:
  registry::v1::Rulebook rulebook_;
  std::map<std::string, Item, std::less<>> items_;
  std::vector<std::string> order_;
};

}  // namespace kla::submission
