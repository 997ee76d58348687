#include "services/submission/domain/rulebook_index.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/points.h"
#include "libs/common/text.h"

namespace kla::submission {

RulebookIndex::RulebookIndex(registry::v1::Rulebook rulebook) : rulebook_(std::move(rulebook)) {
  int position = 0;
  for (const auto& indicator : rulebook_.indicators()) {
    for (const auto& item : indicator.items()) {
      items_[item.id()] = Item{&item, indicator.number(), indicator.cluster(), position++};
      order_.push_back(item.id());
    }
  }
}

const RulebookIndex::Item* RulebookIndex::Find(const std::string& item_id) const {
  auto it = items_.find(item_id);
  return it == items_.end() ? nullptr : &it->second;
}

}  // namespace kla::submission
