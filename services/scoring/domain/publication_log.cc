#include "services/scoring/domain/publication_log.h"

#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"

namespace kla::scoring {

CyclePublications Classify(std::shared_ptr<const std::vector<v1::Publication>> pubs, absl::Time now) {
  CyclePublications out;
  out.all = std::move(pubs);
  for (const auto& p : *out.all) {
    if (p.kind() == v1::PUBLICATION_KIND_PROVISIONAL) out.provisional = &p;
    if (p.kind() == v1::PUBLICATION_KIND_FINAL) out.final = &p;
  }
  out.announced = out.final != nullptr && now >= FromProtoTime(out.final->embargo_until());
  return out;
}

absl::StatusOr<CyclePublications> PublicationLog::Read(const std::string& cycle_id) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cached_.find(cycle_id);
    if (it != cached_.end() && now - it->second.second < ttl_) return Classify(it->second.first, now);
  }
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  auto shared = std::make_shared<const std::vector<v1::Publication>>(std::move(pubs));
  {
    absl::MutexLock lock(&mu_);
    cached_[cycle_id] = {shared, now};
  }
  return Classify(std::move(shared), now);
}

void PublicationLog::Forget(const std::string& cycle_id) {
  absl::MutexLock lock(&mu_);
  cached_.erase(cycle_id);
}

}  // namespace kla::scoring
