#include "services/server/testing/in_process_suite.h"

#include "libs/common/status_macros.h"

namespace kla::testing {

absl::StatusOr<std::unique_ptr<InProcessSuite>> InProcessSuite::Start(const Options& options) {
  std::unique_ptr<InProcessSuite> s(new InProcessSuite());
  server::ServerConfig config;
  config.services = options.services.empty() ? config.services : options.services;
  config.listen = "127.0.0.1:0";
  config.db = "sqlite:" + s->dir() + "/{service}.db";
  config.evidence_dir = s->dir() + "/evidence";
  if (options.official_regions) config.regions_dir = SourcePath("data/regions");
  if (!options.webhook_allow_cidr.empty()) config.webhook_allow_cidr = options.webhook_allow_cidr;
  if (options.http) config.http_listen = "127.0.0.1:0";
  config.http_cors_origins = options.http_cors_origins;
  config.web_root = options.web_root;
  KLA_ASSIGN_OR_RETURN(s->suite_, server::Suite::Create(config, options.clock));
  KLA_RETURN_IF_ERROR(s->suite_->Start());
  s->channel_ =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(s->suite_->port()), grpc::InsecureChannelCredentials());
  return s;
}

InProcessSuite::~InProcessSuite() {
  if (suite_ != nullptr) suite_->Shutdown();
}

}  // namespace kla::testing
