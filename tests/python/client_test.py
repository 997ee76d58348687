"""An independent client, as another agency would write it.

Generates Python stubs from the .proto files alone (system protoc and
grpc_python_plugin), starts a real kla-server, and uses Debian's
python3-grpcio to sign in as the first national admin, import regions and
list them. Run with /usr/bin/python3.
"""

import os
import subprocess
import sys
import tempfile
import time
import unittest

SRC = os.environ.get("KLA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KLA_BINARY_DIR", os.path.join(SRC, "build"))


def generate_stubs(out_dir):
    # The same generation an agency runs (examples/agency_client.py), with
    # the google.rpc error details.
    sys.path.insert(0, os.path.join(SRC, "examples"))
    import agency_client  # noqa: E402
    agency_client.generate_stubs(out_dir, os.path.join(SRC, "proto"))


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        stubs = os.path.join(cls.tmp.name, "stubs")
        os.makedirs(stubs)
        generate_stubs(stubs)
        sys.path.insert(0, stubs)
        port_file = os.path.join(cls.tmp.name, "port")
        cls.log = open(os.path.join(cls.tmp.name, "server.log"), "w")
        cls.server = subprocess.Popen(
            [os.path.join(BIN, "services", "server", "kla-server"), "--listen", "127.0.0.1:0",
             "--port-file", port_file, "--db", "sqlite:" + cls.tmp.name + "/{service}.db",
             "--first-admin-file", os.path.join(cls.tmp.name, "first-admin.txt"),
             "--evidence-dir", os.path.join(cls.tmp.name, "evidence")],
            stdout=cls.log, stderr=cls.log)
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.time() > deadline or cls.server.poll() is not None:
                raise RuntimeError("kla-server did not start")
            time.sleep(0.05)
        cls.address = "127.0.0.1:" + open(port_file).read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)
        cls.log.close()
        cls.tmp.cleanup()

    def sign_in(self, channel):
        """Signs the first admin in (replacing its one-time password); returns call metadata."""
        from kla.registry.v1 import account_pb2 as apb
        from kla.registry.v1 import account_pb2_grpc as arpc
        creds = {}
        with open(os.path.join(self.tmp.name, "first-admin.txt")) as f:
            for line in f:
                if ": " in line and not line.startswith("#"):
                    key, value = line.rstrip("\n").split(": ", 1)
                    creds[key] = value
        reply = arpc.AccountServiceStub(channel).Login(apb.LoginRequest(
            name=creds["name"], password=creds["password"], new_password="Integrasi-Lembaga-2025"), timeout=30)
        self.assertEqual(reply.account.role, apb.ROLE_NATIONAL_ADMIN)
        return [("authorization", "Bearer " + reply.token)]

    def test_import_and_list_regions(self):
        import grpc
        from kla.registry.v1 import registry_service_pb2 as pb
        from kla.registry.v1 import registry_service_pb2_grpc as rpc
        from kla.type.v1 import region_pb2

        with grpc.insecure_channel(self.address) as channel:
            stub = rpc.RegistryServiceStub(channel)
            with open(os.path.join(SRC, "data", "regions", "provinces.csv"), "rb") as f:
                provinces = f.read()
            with open(os.path.join(SRC, "data", "regions", "regencies.csv"), "rb") as f:
                regencies = f.read()
            request = pb.ImportRegionsRequest(
                request_id="python-client-1", provinces_csv=provinces, regencies_csv=regencies)
            with self.assertRaises(grpc.RpcError) as err:
                stub.ImportRegions(request, timeout=30)
            self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
            imported = stub.ImportRegions(request, metadata=self.sign_in(channel), timeout=30)
            self.assertEqual(imported.regency_count, 514)

            # The official list is public: no token needed to read it.
            names = {}
            token = ""
            while True:
                page = stub.ListRegions(pb.ListRegionsRequest(province_code="35", page_size=10, page_token=token),
                                        timeout=10)
                for r in page.regions:
                    names[r.code] = r.name
                    self.assertEqual(r.province.name, "Jawa Timur")
                token = page.next_page_token
                if not token:
                    break
            self.assertEqual(len(names), 38)
            self.assertEqual(names["35.72"], "Kota Blitar")

            blitar = stub.GetRegion(pb.GetRegionRequest(code="35.72"), timeout=10).region
            self.assertEqual(blitar.level, region_pb2.REGION_LEVEL_KOTA)

            with self.assertRaises(grpc.RpcError) as err:
                stub.GetRegion(pb.GetRegionRequest(code="35.99"), timeout=10)
            self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
            with self.assertRaises(grpc.RpcError) as err:
                stub.ListRegions(pb.ListRegionsRequest(page_size=-1), timeout=10)
            self.assertEqual(err.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)

            # Field violations travel as google.rpc.BadRequest in the
            # grpc-status-details-bin trailer.
            with self.assertRaises(grpc.RpcError) as err:
                stub.GetRegion(pb.GetRegionRequest(code="35-72"), timeout=10)
            self.assertEqual(err.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertEqual(self.field_violations(err.exception), ["code"])

            # Every error names a stable reason (google.rpc.ErrorInfo) and
            # carries a message in the caller's language.
            import agency_client  # noqa: E402
            with self.assertRaises(grpc.RpcError) as err:
                stub.GetRegion(pb.GetRegionRequest(code="99.99"), timeout=10)
            code, reason, metadata, text = agency_client.explain(err.exception)
            self.assertEqual((code, reason), ("NOT_FOUND", "RESOURCE_NOT_FOUND"))
            self.assertEqual(metadata.get("resource_name"), "99.99")
            self.assertIn("tidak ditemukan", text)
            with self.assertRaises(grpc.RpcError) as err:
                stub.GetRegion(pb.GetRegionRequest(code="99.99"), metadata=[("accept-language", "en")], timeout=10)
            self.assertIn("not found", agency_client.explain(err.exception)[3])

    @staticmethod
    def field_violations(error):
        from google.rpc import error_details_pb2, status_pb2
        details = dict(error.trailing_metadata()).get("grpc-status-details-bin")
        status = status_pb2.Status.FromString(details)
        fields = []
        for any_detail in status.details:
            bad = error_details_pb2.BadRequest()
            if any_detail.Unpack(bad):
                fields += [v.field for v in bad.field_violations]
        return fields


if __name__ == "__main__":
    unittest.main(verbosity=2)
