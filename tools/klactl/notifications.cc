#include "tools/klactl/notifications.h"

#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "libs/common/ids.h"
#include "tools/klactl/output.h"

namespace kla::klactl {
namespace {

namespace nv1 = kla::notification::v1;

struct Flags {
  std::string id;
  std::string url;
  std::vector<std::string> types;
  std::vector<std::string> regions;
  std::string language;
  std::string description;
  std::string etag;
  std::string state;
  std::string message;
  std::string since;
  std::string request_id;
  std::vector<std::string> fields;
  int overlap_hours = 0;
  int64_t after = 0;
};

// "award-announced" or "EVENT_TYPE_AWARD_ANNOUNCED".
bool ParseType(const Options& o, const std::string& text, nv1::EventType* out) {
  std::string name = absl::AsciiStrToUpper(text);
  for (char& c : name) c = c == '-' ? '_' : c;
  if (!absl::StartsWith(name, "EVENT_TYPE_")) name = "EVENT_TYPE_" + name;
  if (nv1::EventType_Parse(name, out) && *out != nv1::EVENT_TYPE_UNSPECIFIED) return true;
  std::vector<std::string> known;
  for (int t = nv1::EventType_MIN + 1; t <= nv1::EventType_MAX; ++t) {
    std::string n = absl::AsciiStrToLower(
        std::string(absl::StripPrefix(nv1::EventType_Name(static_cast<nv1::EventType>(t)), "EVENT_TYPE_")));
    for (char& c : n) c = c == '_' ? '-' : c;
    known.push_back(n);
  }
  std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"jenis tidak dikenal: ", "unknown type: "}) << text << " ("
            << absl::StrJoin(known, "|") << ")\n";
  return false;
}

std::string TypeLabel(nv1::EventType t) {
  std::string n = absl::AsciiStrToLower(std::string(absl::StripPrefix(nv1::EventType_Name(t), "EVENT_TYPE_")));
  for (char& c : n) c = c == '_' ? '-' : c;
  return n;
}

bool Fill(const Options& o, const Flags& f, nv1::Subscription* s) {
  s->set_url(f.url);
  for (const auto& t : f.types) {
    nv1::EventType type;
    if (!ParseType(o, t, &type)) return false;
    s->add_event_types(type);
  }
  for (const auto& r : f.regions) s->add_region_codes(r);
  s->set_language(f.language);
  s->set_description(f.description);
  return true;
}

void PrintSubscription(const Options& o, const nv1::Subscription& s) {
  std::vector<std::string> types;
  for (int t : s.event_types()) types.push_back(TypeLabel(static_cast<nv1::EventType>(t)));
  std::cout << s.subscription_id() << "  " << s.url() << "\n"
            << "  " << T(o, {"status: ", "state: "})
            << (s.state() == nv1::SUBSCRIPTION_STATE_ACTIVE ? T(o, {"aktif", "active"})
                                                            : T(o, {"NONAKTIF", "DISABLED"}))
            << (s.disabled_reason().empty() ? "" : absl::StrCat(" (", s.disabled_reason(), ")")) << "   etag "
            << s.etag() << "\n"
            << "  " << T(o, {"jenis: ", "types: "})
            << (types.empty() ? T(o, {"semua", "all"}) : absl::StrJoin(types, ", ")) << "   "
            << T(o, {"wilayah: ", "regions: "})
            << (s.region_codes().empty() ? T(o, {"semua", "all"}) : absl::StrJoin(s.region_codes(), ", ")) << "   "
            << T(o, {"bahasa: ", "language: "}) << s.language() << "\n";
  for (const auto& secret : s.secrets()) {
    std::cout << "  " << T(o, {"rahasia ", "secret "}) << secret.secret_id() << " " << secret.prefix() << "…"
              << (secret.has_expire_time()
                      ? absl::StrCat(T(o, {" berlaku s.d. ", " valid until "}), ShowTime(secret.expire_time()))
                      : "")
              << "\n";
  }
}

int Create(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::CreateSubscriptionRequest req;
  if (!Fill(o, f, req.mutable_subscription())) return 2;
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  nv1::CreateSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->CreateSubscription(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  PrintSubscription(o, resp.subscription());
  std::cout << T(o, {"Rahasia penandatanganan (hanya ditampilkan sekali, simpan baik-baik):\n",
                     "Signing secret (shown once, keep it safe):\n"})
            << resp.secret() << "\n";
  return 0;
}

int List(const Options& o) {
  Client cl(o);
  auto stub = nv1::NotificationService::NewStub(cl.channel());
  nv1::ListSubscriptionsRequest req;
  nv1::ListSubscriptionsResponse all;
  do {
    nv1::ListSubscriptionsResponse page;
    grpc::Status s = stub->ListSubscriptions(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& x : *page.mutable_subscriptions()) *all.add_subscriptions() = std::move(x);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  for (const auto& s : all.subscriptions()) PrintSubscription(o, s);
  return 0;
}

int Get(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::GetSubscriptionRequest req;
  req.set_subscription_id(f.id);
  nv1::GetSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->GetSubscription(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    PrintSubscription(o, resp.subscription());
  }
  return 0;
}

int Update(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::UpdateSubscriptionRequest req;
  if (!Fill(o, f, req.mutable_subscription())) return 2;
  req.mutable_subscription()->set_subscription_id(f.id);
  req.mutable_subscription()->set_etag(f.etag);
  for (const auto& field : f.fields) req.mutable_update_mask()->add_paths(field);
  nv1::UpdateSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->UpdateSubscription(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintSubscription(o, resp.subscription());
  return 0;
}

int Delete(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::DeleteSubscriptionRequest req;
  req.set_subscription_id(f.id);
  req.set_etag(f.etag);
  nv1::DeleteSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->DeleteSubscription(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << JsonObject({{"subscriptionId", f.id}, {"state", "DELETED"}});
    return 0;
  }
  std::cout << T(o, {"dihapus: ", "deleted: "}) << f.id << "\n";
  return 0;
}

// The subscription's etag as it is now ("" when it cannot be read: the call
// then says why).
std::string CurrentEtag(const Client& cl, const std::string& id) {
  nv1::GetSubscriptionRequest req;
  req.set_subscription_id(id);
  nv1::GetSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->GetSubscription(cl.Context().get(), req, &resp);
  return s.ok() ? resp.subscription().etag() : "";
}

int Rotate(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::RotateSubscriptionSecretRequest req;
  req.set_subscription_id(f.id);
  req.set_overlap_hours(f.overlap_hours);
  req.set_etag(f.etag.empty() ? CurrentEtag(cl, f.id) : f.etag);
  nv1::RotateSubscriptionSecretResponse resp;
  grpc::Status s =
      nv1::NotificationService::NewStub(cl.channel())->RotateSubscriptionSecret(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);  // the subscription and its new secret, one document
    return 0;
  }
  PrintSubscription(o, resp.subscription());
  std::cout << T(o, {"Rahasia baru (hanya ditampilkan sekali):\n", "New secret (shown once):\n"}) << resp.secret()
            << "\n";
  return 0;
}

int Enable(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::EnableSubscriptionRequest req;
  req.set_subscription_id(f.id);
  req.set_etag(f.etag.empty() ? CurrentEtag(cl, f.id) : f.etag);
  nv1::EnableSubscriptionResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->EnableSubscription(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintSubscription(o, resp.subscription());
  return 0;
}

int Deliveries(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::ListDeliveriesRequest req;
  req.set_subscription_id(f.id);
  req.set_message_id(f.message);
  if (!f.state.empty()) {
    nv1::DeliveryState state;
    if (!nv1::DeliveryState_Parse("DELIVERY_STATE_" + absl::AsciiStrToUpper(f.state), &state)) {
      std::cerr << "klactl: " << T(o, kError) << ": --state held|pending|delivered|failed\n";
      return 2;
    }
    req.set_state(state);
  }
  nv1::ListDeliveriesResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->ListDeliveries(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"PESAN", "MESSAGE"}), T(o, {"JENIS", "TYPE"}), T(o, {"STATUS", "STATE"}),
           T(o, {"PERCOBAAN", "ATTEMPTS"}), T(o, {"TERAKHIR", "LAST"}), T(o, {"BERIKUTNYA", "NEXT"})});
  for (const auto& d : resp.deliveries()) {
    std::string last = "-";
    if (!d.attempts().empty()) {
      const auto& a = *d.attempts().rbegin();
      last = absl::StrCat(a.http_status() == 0 ? a.error() : std::to_string(a.http_status()), " (", a.latency_ms(),
                          " ms)");
    }
    t.Add({d.message_id(), TypeLabel(d.type()),
           absl::AsciiStrToLower(std::string(absl::StripPrefix(nv1::DeliveryState_Name(d.state()), "DELIVERY_STATE_"))),
           std::to_string(d.attempts_size()), last, d.has_next_attempt_time() ? ShowTime(d.next_attempt_time()) : "-"});
  }
  t.Print(std::cout);
  return 0;
}

int Replay(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::ReplayDeliveriesRequest req;
  req.set_subscription_id(f.id);
  if (!f.message.empty()) {
    req.set_message_id(f.message);
  } else if (!f.since.empty()) {
    if (!ParseWhen(f.since, false, req.mutable_since())) {
      std::cerr << "klactl: " << T(o, kError) << ": --since 2025-07-23 or 2025-07-23T09:00:00+07:00\n";
      return 2;
    }
  }
  nv1::ReplayDeliveriesResponse resp;
  grpc::Status s = nv1::NotificationService::NewStub(cl.channel())->ReplayDeliveries(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << resp.queued() << T(o, {" pengiriman diantrekan ulang", " deliveries queued again"}) << "\n";
  return 0;
}

int Watch(const Options& o, const Flags& f) {
  Client cl(o);
  nv1::WatchRequest req;
  req.set_after_sequence(f.after);
  for (const auto& t : f.types) {
    nv1::EventType type;
    if (!ParseType(o, t, &type)) return 2;
    req.add_event_types(type);
  }
  for (const auto& r : f.regions) req.add_region_codes(r);
  req.set_language(f.language.empty() ? o.lang : f.language);
  // A feed runs until interrupted: a deadline a year away.
  auto stub = nv1::NotificationService::NewStub(cl.channel());
  std::unique_ptr<grpc::ClientContext> context = cl.Context(absl::Hours(24 * 365));
  auto stream = stub->Watch(context.get(), req);
  nv1::Notification n;
  while (stream->Read(&n)) {
    if (o.output == "json") {
      std::string line;
      google::protobuf::util::JsonPrintOptions options;
      (void)google::protobuf::util::MessageToJsonString(n, &line, options);
      std::cout << line << std::endl;
    } else {
      std::cout << n.sequence() << "  " << ShowTime(n.publish_time()) << "  " << TypeLabel(n.type()) << "  "
                << (n.region().code().empty() ? "-" : n.region().code()) << "  " << n.text().body() << std::endl;
    }
  }
  grpc::Status s = stream->Finish();
  if (!s.ok()) return cl.Report(s);
  return 0;
}

}  // namespace

void AddNotificationCommands(CLI::App& app, Options& o, int* rc) {
  static Flags f;
  auto* subs = app.add_subcommand("subscriptions", "Webhook endpoints of other agencies' systems");
  subs->require_subcommand(1);
  auto filters = [](CLI::App* cmd) {
    cmd->add_option("--type", f.types, "Only this event type, repeatable (e.g. award-announced)");
    cmd->add_option("--region", f.regions, "Only about this province or kab/kota, repeatable (35, 35.72)");
    cmd->add_option("--language", f.language, "id (default) or en");
    cmd->add_option("--description", f.description, "For people, e.g. \"SIMFONI-PPA produksi\"");
  };
  auto* create = subs->add_subcommand("create", "Register a webhook URL; prints its signing secret once");
  create->add_option("--url", f.url, "http(s) address that receives POSTs")->required();
  filters(create);
  create->add_option("--request-id", f.request_id, "Idempotency key; reuse it to retry safely");
  create->callback([&o, rc] { *rc = Create(o, f); });
  subs->add_subcommand("list", "Your subscriptions (a national admin: all)")->callback([&o, rc] { *rc = List(o); });
  auto* get = subs->add_subcommand("get", "One subscription");
  get->add_option("id", f.id, "Subscription id")->required();
  get->callback([&o, rc] { *rc = Get(o, f); });
  auto* update = subs->add_subcommand("update", "Change url, filters, language or description");
  update->add_option("id", f.id, "Subscription id")->required();
  update->add_option("--etag", f.etag, "The etag shown by get")->required();
  update->add_option("--fields", f.fields, "Fields to change: url,event_types,region_codes,language,description")
      ->delimiter(',')
      ->required();
  update->add_option("--url", f.url, "New address");
  filters(update);
  update->callback([&o, rc] { *rc = Update(o, f); });
  auto* del = subs->add_subcommand("delete", "Remove a subscription");
  del->add_option("id", f.id, "Subscription id")->required();
  del->add_option("--etag", f.etag, "The etag shown by get")->required();
  del->callback([&o, rc] { *rc = Delete(o, f); });
  auto* rotate = subs->add_subcommand("rotate-secret", "A new secret; the old one keeps signing for the overlap");
  rotate->add_option("id", f.id, "Subscription id")->required();
  rotate->add_option("--overlap-hours", f.overlap_hours, "How long the old secret keeps signing (default 24)");
  rotate->add_option("--etag", f.etag, "The etag shown by get (default: as it is now)");
  rotate->callback([&o, rc] { *rc = Rotate(o, f); });
  auto* enable = subs->add_subcommand("enable", "Re-enable after the endpoint was disabled for failing");
  enable->add_option("id", f.id, "Subscription id")->required();
  enable->add_option("--etag", f.etag, "The etag shown by get (default: as it is now)");
  enable->callback([&o, rc] { *rc = Enable(o, f); });

  auto* deliveries = app.add_subcommand("deliveries", "The delivery log of a subscription: attempts, statuses");
  deliveries->add_option("id", f.id, "Subscription id")->required();
  deliveries->add_option("--state", f.state, "held|pending|delivered|failed");
  deliveries->add_option("--message", f.message, "Only this message id");
  deliveries->callback([&o, rc] { *rc = Deliveries(o, f); });

  auto* replay = app.add_subcommand("replay", "Send one message, or everything since a time, again");
  replay->add_option("id", f.id, "Subscription id")->required();
  auto* message = replay->add_option("--message", f.message, "A message id (webhook-id)");
  auto* since = replay->add_option("--since", f.since, "Everything accepted since (WIB day or RFC 3339)");
  message->excludes(since);
  replay->callback([&o, rc] { *rc = Replay(o, f); });

  auto* watch = app.add_subcommand("watch", "Follow the notification feed (Ctrl-C stops; resume with --after)");
  watch->add_option("--after", f.after, "Start after this sequence (the last one you saw)");
  watch->add_option("--type", f.types, "Only this event type, repeatable");
  watch->add_option("--region", f.regions, "Only about this province or kab/kota, repeatable");
  watch->add_option("--language", f.language, "id or en (default: --lang)");
  watch->callback([&o, rc] { *rc = Watch(o, f); });
}

}  // namespace kla::klactl
