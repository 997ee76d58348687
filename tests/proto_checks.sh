#!/usr/bin/env bash
# The contract's own checks: buf lint (STANDARD rules, exceptions with their
# reasons in proto/buf.yaml) and buf breaking against the previous commit's
# protos (wire and JSON compatibility for clients built from them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
buf="$root/tools/buf/node_modules/.bin/buf"
cd "$root"
# google/api/*.proto (the HTTP annotations) come from Debian, not from the
# Buf registry: buf reads images protoc builds with them (--include_imports)
# and checks only kla's own files.
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
image() {  # image <proto dir> <out>
  (cd "$1" && protoc -I . -I "$googleapis" -I /usr/include --include_imports --include_source_info \
    --descriptor_set_out="$2" $(find kla -name '*.proto' | sort))
}
image proto "$work/head.binpb"
"$buf" lint "$work/head.binpb" --config proto/buf.yaml --path kla
echo "buf lint: clean"
if git rev-parse --verify --quiet HEAD~1 >/dev/null && git cat-file -e HEAD~1:proto 2>/dev/null; then
  mkdir -p "$work/prev"
  git archive HEAD~1 proto | tar -x -C "$work/prev"
  image "$work/prev/proto" "$work/prev.binpb"
  "$buf" breaking "$work/head.binpb" --against "$work/prev.binpb" --config proto/buf.yaml --path kla
  echo "buf breaking: compatible with $(git rev-parse --short HEAD~1)"
elif [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
  echo "buf breaking: shallow clone, the previous commit is missing: fetch it (git fetch --deepen=1)" >&2
  exit 1
else
  echo "buf breaking: no previous commit with proto/ to compare with (first commit or shallow clone)"
fi

# Stubs generate the way the README tells integrators (protoc's built-in
# generators): C# (one folder per package, so the several events.proto do
# not collide), Java and Python.
out="$work/stubs"
mkdir -p "$out/cs" "$out/java" "$out/py"
mapfile -t protos < <(find proto -name '*.proto' | sort)
# A warning (e.g. two fields generating the same Java accessor) fails too.
generate() {
  protoc -I proto -I "$googleapis" -I /usr/include "$@" "${protos[@]}" 2>"$out/warnings"
  if [ -s "$out/warnings" ]; then cat "$out/warnings" >&2; exit 1; fi
}
generate --csharp_out="$out/cs" --csharp_opt=base_namespace=Kla
generate --java_out="$out/java"
generate --python_out="$out/py"
echo "stubs: $(find "$out/cs" -name '*.cs' | wc -l) C#, $(find "$out/java" -name '*.java' | wc -l) Java, $(find "$out/py" -name '*.py' | wc -l) Python files"
