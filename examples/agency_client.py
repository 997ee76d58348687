#!/usr/bin/python3
"""Another agency's system reading kla: an example integration.

Signs in with an INTEGRATION account's API key, reads the final ranking of a
cycle, and follows the notification feed (NotificationService.Watch) from a
saved cursor, so a restart continues where it stopped: no gap, no repeat.

Stubs are generated from kla's .proto files alone with protoc and
grpc_python_plugin (Debian: protobuf-compiler, python3-grpcio,
python3-protobuf, protobuf-compiler-grpc); nothing else of kla is used.

    klactl accounts create bps.integrasi --role integration --secret-file bps.key
    python3 examples/agency_client.py --addr 127.0.0.1:7400 --api-key-file bps.key \\
        --cycle simulasi-2025 --cursor-file bps.cursor --max-events 20
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "proto")
PLUGIN = os.environ.get("KLA_GRPC_PYTHON_PLUGIN", "/usr/bin/grpc_python_plugin")
# google/rpc/*.proto (error details) and google/api/*.proto (HTTP
# annotations) as Debian ships them, in golang-github-gogo-googleapis-dev.
GOOGLEAPIS = "/usr/share/gocode/src/github.com/gogo/googleapis"


def generate_stubs(out_dir, proto_dir=PROTO_DIR):
    """Python modules for every kla .proto under `out_dir` (kla.*.v1)."""
    protos = sorted(glob.glob(os.path.join(proto_dir, "kla", "**", "*.proto"), recursive=True))
    subprocess.run(
        ["protoc", "-I", proto_dir, "-I", GOOGLEAPIS, "-I", "/usr/include",
         "--python_out", out_dir, "--grpc_python_out", out_dir,
         "--plugin=protoc-gen-grpc_python=" + PLUGIN] + protos,
        check=True)
    # The error details every kla error carries (google.rpc.Status in the
    # grpc-status-details-bin trailer), and the HTTP annotations every RPC
    # carries (google.api.http), which the kla modules import.
    subprocess.run(
        ["protoc", "-I", GOOGLEAPIS, "-I", "/usr/include", "--python_out", out_dir]
        + [os.path.join(GOOGLEAPIS, "google", *path) for path in (
            ("rpc", "status.proto"), ("rpc", "error_details.proto"),
            ("api", "http.proto"), ("api", "annotations.proto"))],
        check=True)
    # Our folders become packages; "google" stays a namespace package.
    for root, _, _ in os.walk(out_dir):
        if os.path.relpath(root, out_dir).split(os.sep)[0] not in ("google", "."):
            open(os.path.join(root, "__init__.py"), "a").close()


def explain(error):
    """(code, ErrorInfo.reason, metadata, LocalizedMessage) of a failed call.

    Programs switch on the reason (e.g. "RETURN_DEADLINE_PASSED"); people
    read the localized message, in the language asked for with the
    accept-language metadata (Bahasa Indonesia by default).
    """
    from google.rpc import error_details_pb2, status_pb2
    reason, metadata, text = "", {}, error.details()
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    if raw:
        for detail in status_pb2.Status.FromString(raw).details:
            info, localized = error_details_pb2.ErrorInfo(), error_details_pb2.LocalizedMessage()
            if detail.Unpack(info):
                reason, metadata = info.reason, dict(info.metadata)
            elif detail.Unpack(localized):
                text = localized.message
    return error.code().name, reason, metadata, text


def points(total, lang):
    """742,50 in Indonesian, 742.50 in English (hundredths in, text out)."""
    text = "%d.%02d" % (total.hundredths // 100, total.hundredths % 100)
    return text.replace(".", ",") if lang == "id" else text


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--addr", default="127.0.0.1:7400")
    p.add_argument("--api-key-file", required=True, help="the INTEGRATION account's API key")
    p.add_argument("--cycle", required=True)
    p.add_argument("--cursor-file", help="where the feed position is kept between runs")
    p.add_argument("--max-events", type=int, default=20, help="stop after this many notifications")
    p.add_argument("--wait", type=float, default=5.0, help="stop after this many seconds without news")
    p.add_argument("--lang", default="id", choices=["id", "en"])
    p.add_argument("--top", type=int, default=10)
    args = p.parse_args()

    stubs = tempfile.mkdtemp(prefix="kla-stubs-")
    generate_stubs(stubs)
    sys.path.insert(0, stubs)
    import grpc  # noqa: E402  (after the stubs exist)
    from kla.notification.v1 import notification_pb2, notification_service_pb2, notification_service_pb2_grpc
    from kla.registry.v1 import account_pb2, account_pb2_grpc
    from kla.scoring.v1 import scoring_pb2, scoring_service_pb2, scoring_service_pb2_grpc
    from kla.type.v1 import evaluation_pb2

    channel = grpc.insecure_channel(args.addr)
    with open(args.api_key_file) as f:
        key = f.readline().strip()
    try:
        login = account_pb2_grpc.AccountServiceStub(channel).LoginWithApiKey(
            account_pb2.LoginWithApiKeyRequest(api_key=key), metadata=[("accept-language", args.lang)], timeout=10)
    except grpc.RpcError as e:
        code, reason, _, text = explain(e)
        print("sign-in failed: %s %s: %s" % (code, reason, text), file=sys.stderr)
        return 1
    auth = [("authorization", "Bearer " + login.token), ("accept-language", args.lang)]
    print("signed in as %s" % login.account.name)

    # The final ranking, every page.
    scoring = scoring_service_pb2_grpc.ScoringServiceStub(channel)
    entries, token = [], ""
    while True:
        page = scoring.GetRanking(scoring_service_pb2.GetRankingRequest(
            cycle_id=args.cycle, view=scoring_pb2.RANKING_VIEW_FINAL, page_size=200, page_token=token),
            metadata=auth, timeout=10)
        entries.extend(page.entries)
        token = page.next_page_token
        if not token:
            break
    no_award = (evaluation_pb2.PREDICATE_UNSPECIFIED, evaluation_pb2.PREDICATE_NONE)
    awarded = sum(1 for e in entries if e.predicate not in no_award)
    print("final ranking %s: %d ranked, %d awarded" % (args.cycle, len(entries), awarded))
    for e in entries[:args.top]:
        predicate = evaluation_pb2.Predicate.Name(e.predicate).replace("PREDICATE_", "").title()
        print("%4d  %-40s %-30s %8s  %s" % (e.rank, e.region.name, e.province.name, points(e.total, args.lang),
                                             predicate))

    # The feed, from where the last run stopped.
    cursor = 0
    if args.cursor_file and os.path.exists(args.cursor_file):
        with open(args.cursor_file) as f:
            cursor = int(f.read().strip() or 0)
    notifications = notification_service_pb2_grpc.NotificationServiceStub(channel)
    seen = 0
    stream = notifications.Watch(
        notification_service_pb2.WatchRequest(after_sequence=cursor, language=args.lang),
        metadata=auth, timeout=args.wait)
    try:
        for n in stream:
            seen += 1
            cursor = n.sequence
            print("feed %d  %-30s %s" % (n.sequence, notification_pb2.EventType.Name(n.type).replace("EVENT_TYPE_", ""),
                                         n.text.title))
            if args.cursor_file:
                with open(args.cursor_file + ".tmp", "w") as f:
                    f.write(str(cursor))
                os.replace(args.cursor_file + ".tmp", args.cursor_file)
            if seen >= args.max_events:
                stream.cancel()
                break
    except grpc.RpcError as e:
        if e.code() not in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
            raise
    print("feed: %d notifications, cursor %d" % (seen, cursor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
