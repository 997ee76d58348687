"""deploy/ agrees with the binary: the Kubernetes manifests, the compose
file and the Dockerfile parse, use only the environment variables
`kla-server --help` lists, listen where their ports and probes say, and
keep the containers non-root and read-only. No cluster or Docker engine is
needed. Run with /usr/bin/python3 (Debian's python3-yaml).
"""

import os
import re
import subprocess
import unittest

import yaml

SRC = os.environ.get("KLA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KLA_BINARY_DIR", os.path.join(SRC, "build"))
DEPLOY = os.path.join(SRC, "deploy")
SERVICES = ["registry", "submission", "scoring", "notification"]


def server_env_names():
    """The KLA_* names kla-server reads, from its own --help."""
    out = subprocess.run([os.path.join(BIN, "services", "server", "kla-server"), "--help"],
                         capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(Env:(KLA_[A-Z_]+)\)", out))


def load_k8s():
    docs = []
    for name in sorted(os.listdir(os.path.join(DEPLOY, "k8s"))):
        if name.endswith(".yaml"):
            with open(os.path.join(DEPLOY, "k8s", name)) as f:
                docs.extend((name, d) for d in yaml.safe_load_all(f) if d)
    return docs


def port_of(listen):
    return int(listen.rsplit(":", 1)[1])


class DeployTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env_names = server_env_names()
        cls.docs = load_k8s()
        cls.kind = {}
        for _, d in cls.docs:
            cls.kind.setdefault(d["kind"], {})[d.get("metadata", {}).get("name", "")] = d

    def test_the_binary_lists_its_environment(self):
        for name in ["KLA_SERVICES", "KLA_LISTEN", "KLA_DB", "KLA_REDIS", "KLA_SERVICE_API_KEY_FILE",
                     "KLA_REGISTRY_ADDR", "KLA_REMINDER_DAYS", "KLA_WEBHOOK_TIMEOUT"]:
            self.assertIn(name, self.env_names)

    def test_one_deployment_and_service_per_service(self):
        for s in SERVICES:
            self.assertIn("kla-" + s, self.kind["Deployment"], s)
            self.assertIn("kla-" + s, self.kind["Service"], s)
        with open(os.path.join(DEPLOY, "k8s", "kustomization.yaml")) as f:
            resources = yaml.safe_load(f)["resources"]
        for s in SERVICES:
            self.assertIn(s + ".yaml", resources)
        self.assertNotIn("secrets.example.yaml", resources, "secrets are applied by hand, filled in")

    def test_config_map_holds_only_known_settings_and_real_addresses(self):
        data = self.kind["ConfigMap"]["kla-config"]["data"]
        for key, value in data.items():
            self.assertIn(key, self.env_names, key)
            if key.endswith("_ADDR"):
                host, port = value.rsplit(":", 1)
                service = self.kind["Service"].get(host)
                self.assertIsNotNone(service, value)
                self.assertIn(int(port), [p["port"] for p in service["spec"]["ports"]], value)

    def test_deployments_agree_with_the_binary(self):
        secrets = {d["metadata"]["name"]: d for _, d in self.docs if d["kind"] == "Secret"}
        for s in SERVICES:
            dep = self.kind["Deployment"]["kla-" + s]
            pod = dep["spec"]["template"]["spec"]
            labels = dep["spec"]["template"]["metadata"]["labels"]
            self.assertLessEqual(dep["spec"]["selector"]["matchLabels"].items(), labels.items())
            (c,) = pod["containers"]
            env = {e["name"]: e for e in c.get("env", [])}
            for name in env:
                self.assertIn(name, self.env_names, "%s: %s" % (s, name))
            self.assertEqual(env["KLA_SERVICES"]["value"], s)
            port = port_of(env["KLA_LISTEN"]["value"])
            grpc_ports = [p for p in c["ports"] if p["name"] == "grpc"]
            self.assertEqual([p["containerPort"] for p in grpc_ports], [port], s)
            # Probes: the standard health service over TLS (kubelet's gRPC
            # probe cannot do TLS), this service by name; the process alone.
            ready = c["readinessProbe"]["exec"]["command"]
            live = c["livenessProbe"]["exec"]["command"]
            for probe in (ready, live):
                self.assertEqual(probe[0], "/usr/bin/klactl")
                self.assertEqual(probe[probe.index("--addr") + 1], "127.0.0.1:%d" % port)
            self.assertEqual(ready[-3:], ["health", "--service", s])
            self.assertEqual(live[-3:], ["health", "--service", "server"])
            # Requests and limits.
            for kind in ("requests", "limits"):
                self.assertIn("cpu", c["resources"][kind], s)
                self.assertIn("memory", c["resources"][kind], s)
            # Non-root, read-only.
            self.assertTrue(pod["securityContext"]["runAsNonRoot"])
            self.assertNotEqual(pod["securityContext"]["runAsUser"], 0)
            self.assertTrue(c["securityContext"]["readOnlyRootFilesystem"])
            self.assertFalse(c["securityContext"]["allowPrivilegeEscalation"])
            # The database URL from a Secret of its own (its own role); a
            # service's key as a file from a Secret.
            db_secret = env["KLA_DB"]["valueFrom"]["secretKeyRef"]["name"]
            self.assertEqual(db_secret, "kla-%s-database" % s)
            self.assertIn("kla_%s:" % s, secrets[db_secret]["stringData"]["url"])
            mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}
            if s == "registry":
                self.assertNotIn("KLA_SERVICE_API_KEY_FILE", env)
            else:
                key_file = env["KLA_SERVICE_API_KEY_FILE"]["value"]
                self.assertEqual(os.path.dirname(key_file), mounts["key"])
                secret = volumes["key"]["secret"]["secretName"]
                self.assertIn(secret, secrets)
                self.assertIn(os.path.basename(key_file), secrets[secret]["stringData"])
            # Files it reads from Secrets are mounted from Secrets that exist.
            for name in ("KLA_SERVICE_API_KEY_FILE", "KLA_SECRETS_KEY_FILE"):
                if name not in env:
                    continue
                path = env[name]["value"]
                (vol,) = [v for v, m in mounts.items() if path.startswith(m + "/")]
                secret = volumes[vol]["secret"]["secretName"]
                self.assertIn(secret, secrets, path)
                self.assertIn(os.path.basename(path), secrets[secret]["stringData"], path)
            # TLS from the Secret its Certificate writes (tls.crt, tls.key,
            # ca.crt), mounted whole so renewals reach the files; the
            # certificate names what the others call it and the probe's address.
            certs = self.kind["Certificate"]["kla-" + s]["spec"]
            for name, file in (("KLA_TLS_CERT", "tls.crt"), ("KLA_TLS_KEY", "tls.key"), ("KLA_TLS_CA", "ca.crt")):
                self.assertEqual(env[name]["value"], mounts["tls"] + "/" + file, s)
            self.assertEqual(volumes["tls"]["secret"]["secretName"], certs["secretName"])
            self.assertFalse(any("subPath" in m for m in c["volumeMounts"]))
            self.assertIn("kla-" + s, certs["dnsNames"])
            self.assertIn("127.0.0.1", certs["ipAddresses"])
            config = self.kind["ConfigMap"]["kla-config"]["data"]
            self.assertEqual(config["KLA_%s_ADDR" % s.upper()].split(":")[0], "kla-" + s)
            # Every service: secrets sealed at rest, page tokens shared by its
            # replicas; each service its own key.
            self.assertIn("KLA_SECRETS_KEY_FILE", env, s)
            (vol,) = [v for v, m in mounts.items() if env["KLA_SECRETS_KEY_FILE"]["value"].startswith(m + "/")]
            self.assertEqual(volumes[vol]["secret"]["secretName"], "kla-" + s + "-secrets-key")
            # Anything it writes is on a volume.
            for name in ("KLA_EVIDENCE_DIR", "KLA_FIRST_ADMIN_FILE"):
                if name in env:
                    path = env[name]["value"]
                    self.assertTrue(any(path.startswith(m) for m in mounts.values()), path)
            # Its Service reaches the named port.
            svc = self.kind["Service"]["kla-" + s]
            self.assertEqual(svc["spec"]["selector"], dep["spec"]["selector"]["matchLabels"])
            self.assertEqual([(p["name"], p["targetPort"]) for p in svc["spec"]["ports"]], [("grpc", "grpc")])

    def test_compose_mirrors_the_multi_process_run(self):
        with open(os.path.join(DEPLOY, "compose.yaml")) as f:
            compose = yaml.safe_load(f)
        services = compose["services"]
        for s in SERVICES:
            env = services[s]["environment"]
            for name in env:
                self.assertIn(name, self.env_names, "%s: %s" % (s, name))
            self.assertEqual(env["KLA_SERVICES"], s)
            port = port_of(env["KLA_LISTEN"])
            self.assertTrue(any(p.endswith(":%d" % port) for p in services[s]["ports"]), s)
            for other in SERVICES:
                self.assertEqual(env["KLA_%s_ADDR" % other.upper()], "%s:%d" % (other, port))
            self.assertTrue(services[s]["read_only"])
            # Its own role, TLS from make-certs.sh's folder for it.
            self.assertTrue(env["KLA_DB"].startswith("postgresql://kla_%s:" % s), s)
            self.assertIn("./tls/%s:/etc/kla/tls:ro" % s, services[s]["volumes"])
            self.assertEqual(env["KLA_TLS_CERT"], "/etc/kla/tls/tls.crt")
            self.assertNotEqual(services[s]["user"].split(":")[0], "0")
        self.assertEqual(services["scoring"]["environment"]["KLA_REDIS"].split(":")[0], "redis")
        self.assertIn("@postgres:", services["submission"]["environment"]["KLA_DB"])
        initdb = [v.split(":")[0] for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
        self.assertIn("./postgres/roles.sql", initdb)
        for path in initdb:
            self.assertTrue(os.path.exists(os.path.join(DEPLOY, path)), path)

    def test_dockerfile_runs_the_server_as_non_root_on_the_listen_port(self):
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            text = f.read()
        self.assertIn('ENTRYPOINT ["/usr/bin/kla-server"]', text)
        user = re.search(r"^USER (\d+)", text, re.M)
        self.assertTrue(user and user.group(1) != "0")
        listen = re.search(r"KLA_LISTEN=(\S+)", text).group(1)
        self.assertIn("EXPOSE %d" % port_of(listen), text)
        # The paths the manifests use exist in the image.
        registry = self.kind["Deployment"]["kla-registry"]["spec"]["template"]["spec"]["containers"][0]
        regions = {e["name"]: e.get("value") for e in registry["env"]}["KLA_REGIONS_DIR"]
        self.assertIn("COPY data/regions %s" % regions, text)
        for copied in re.findall(r"^COPY (?!--)(\S+) ", text, re.M):
            if copied != ".":
                self.assertTrue(os.path.exists(os.path.join(SRC, copied)), copied)


if __name__ == "__main__":
    unittest.main()
