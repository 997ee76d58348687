#include "services/registry/testing/cycles.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/kernel/time.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"

namespace kla::testing {
namespace {

absl::Status Failed(absl::string_view call, const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), absl::StrCat(call, ": ", s.error_message()));
}

}  // namespace

absl::StatusOr<DefaultCycle> CreateCycleOnDefaultRulebook(const std::shared_ptr<grpc::Channel>& channel,
                                                          const std::string& admin_token, const std::string& id,
                                                          const PhaseWindows& windows, absl::Time announcement,
                                                          int advance) {
  namespace rv1 = registry::v1;
  auto registry = rv1::RegistryService::NewStub(channel);
  rv1::UploadRulebookRequest up;
  up.set_request_id("rb");
  up.set_textproto(SourceFile("rulebooks/kla-2023-ilustratif.textproto"));
  rv1::UploadRulebookResponse stored;
  grpc::Status s = registry->UploadRulebook(AuthedContext(admin_token).get(), up, &stored);
  if (!s.ok()) return Failed("UploadRulebook", s);
  rv1::CreateCycleRequest create;
  rv1::Cycle* c = create.mutable_cycle();
  c->set_id(id);
  c->set_name(absl::StrCat("Evaluasi KLA ", id));
  c->set_rulebook_version(stored.rulebook().rulebook().version());
  for (int i = 0; i < 6; ++i) {
    auto* w = c->add_windows();
    w->set_phase(static_cast<rv1::CyclePhase>(i + 1));
    const auto [open, close] = windows(i);
    *w->mutable_open_time() = ToProtoTime(open);
    *w->mutable_close_time() = ToProtoTime(close);
  }
  *c->mutable_announcement_time() = ToProtoTime(announcement);
  rv1::CreateCycleResponse created;
  s = registry->CreateCycle(AuthedContext(admin_token).get(), create, &created);
  if (!s.ok()) return Failed("CreateCycle", s);
  DefaultCycle out{stored.rulebook().rulebook(), created.cycle()};
  for (int i = 0; i < advance; ++i) {
    rv1::AdvanceCycleRequest adv;
    adv.set_cycle_id(id);
    rv1::AdvanceCycleResponse advanced;
    s = registry->AdvanceCycle(AuthedContext(admin_token).get(), adv, &advanced);
    if (!s.ok()) return Failed("AdvanceCycle", s);
    out.cycle = advanced.cycle();
  }
  return out;
}

}  // namespace kla::testing
