#!/usr/bin/env bash
# A private CA and one certificate per kla service, with openssl, for the
# compose file and for clusters without cert-manager:
#   deploy/make-certs.sh            # deploy/tls/ca.{crt,key}, deploy/tls/<service>/{tls.crt,tls.key,ca.crt}
#   deploy/make-certs.sh ca-only    # just the CA (cert-manager's kla-ca Issuer)
# Each certificate names the service as compose and Kubernetes call it
# ("scoring", "kla-scoring"), localhost and 127.0.0.1 (health probes). Run it
# again to renew: the CA is kept, the service keys are new; kla-server picks
# up the files without a restart. Keep deploy/tls/ca.key offline.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p tls
if [[ ! -f tls/ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=KemenPPPA/CN=kla internal CA" -keyout tls/ca.key -out tls/ca.crt 2>/dev/null
fi
[[ "${1:-}" == "ca-only" ]] && exit 0
for s in registry submission scoring notification; do
  mkdir -p "tls/$s"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=KemenPPPA/CN=kla-$s" \
    -keyout "tls/$s/tls.key" -out "tls/$s/tls.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:kla-%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$s" "$s" >"tls/$s/ext"
  openssl x509 -req -in "tls/$s/tls.csr" -CA tls/ca.crt -CAkey tls/ca.key -CAcreateserial -days 90 \
    -extfile "tls/$s/ext" -out "tls/$s/tls.crt" 2>/dev/null
  cp tls/ca.crt "tls/$s/ca.crt"
  rm -f "tls/$s/tls.csr" "tls/$s/ext"
  # The containers run as uid 65532: they must read their own files.
  if [[ $(id -u) == 0 ]]; then chown -R 65532:65532 "tls/$s"; fi
done
echo "deploy/tls: CA and certificates for registry, submission, scoring, notification (90 days)"
