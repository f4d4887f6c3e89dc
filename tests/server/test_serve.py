"""End-to-end tests of `ecs-sim --serve`, the ECS API over HTTP/1.1 (AWS JSON 1.1).

Run by CTest as the test `server_http`:
    ECS_SIM=/path/to/ecs-sim ECS_SOURCE_DIR=/path/to/repo python3 -m unittest -v test_serve

Only the Python standard library is used here (http.client, socket, subprocess,
threading, hashlib and hmac for signing). Each server is started on 127.0.0.1
port 0; the port is read from its "listening on 127.0.0.1:PORT" line on
standard error. Everything talks to loopback only and has a timeout.

The cases with the real AWS clients (boto3 and the AWS CLI from Debian's
python3-boto3 and awscli, which use /usr/bin/python3) run aws_clients.py in
that interpreter; they skip with a message when the packages are absent.
Services (CreateService, the services_stable waiter, `aws ecs wait
services-stable`) are not served by libecs yet: those cases skip, saying so,
for as long as CreateService answers UnknownOperationException.
"""
import datetime
import hashlib
import hmac
import http.client
import json
import shlex
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
import unittest

ECS_SIM = os.environ.get("ECS_SIM")
ECS_SOURCE_DIR = os.environ.get("ECS_SOURCE_DIR")
HERE = os.path.dirname(os.path.abspath(__file__))

START = 1767225600  # 2026-01-01T00:00:00Z, the frozen clock's start
PREFIX = "AmazonEC2ContainerServiceV20141113."
JSON11 = "application/x-amz-json-1.1"
IO_TIMEOUT = 20     # seconds for one socket operation
SUBNETS = [{"subnetId": "subnet-a", "availabilityZone": "us-east-1a"},
           {"subnetId": "subnet-b", "availabilityZone": "us-east-1b"}]
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"]}}


def setUpModule():
    if not ECS_SIM or not os.access(ECS_SIM, os.X_OK):
        raise RuntimeError("set ECS_SIM to the ecs-sim binary (got %r)" % (ECS_SIM,))
    if not ECS_SOURCE_DIR or not os.path.isdir(ECS_SOURCE_DIR):
        raise RuntimeError("set ECS_SOURCE_DIR to the repository root (got %r)" % (ECS_SOURCE_DIR,))


def taskdef_path():
    return os.path.join(ECS_SOURCE_DIR, "examples", "my-api-taskdef.json")


def load_taskdef():
    with open(taskdef_path(), encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------
# The server


class Server:
    """ecs-sim --serve on 127.0.0.1 and a free port, stopped with SIGTERM."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([ECS_SIM, "--serve", "127.0.0.1:0"] + list(args),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = []
        self.port = None
        found = threading.Event()

        def pump():
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                if "requests must carry" in line or "requests are not authenticated" in line:
                    found.set()  # the banner's last line
            found.set()

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        if not found.wait(20) or self.port is None:
            self.stop()
            raise RuntimeError("ecs-sim --serve did not start: %r" % (self.lines,))

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=IO_TIMEOUT)

    def sock(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=IO_TIMEOUT)
        return s

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stop the server; return its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.pump.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode


def call(conn, action, request=None, headers=None, target=None):
    """One call on an http.client connection: (status, headers dict, body object or text)."""
    body = b"" if request is None else json.dumps(request).encode("utf-8")
    h = {"X-Amz-Target": target if target is not None else PREFIX + action,
         "Content-Type": JSON11}
    if headers:
        h.update(headers)
    conn.request("POST", "/", body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    hdrs = {k.lower(): v for k, v in resp.getheaders()}
    try:
        doc = json.loads(data.decode("utf-8")) if data else None
    except ValueError:
        doc = data
    return resp.status, hdrs, doc


def raw_exchange(srv, payload, shutdown_write=False, wait=IO_TIMEOUT):
    """Send raw bytes on a fresh connection; return everything read until the server closes."""
    s = srv.sock()
    try:
        s.sendall(payload)
        if shutdown_write:
            s.shutdown(socket.SHUT_WR)
        s.settimeout(wait)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        s.close()


def parse_responses(data):
    """Split raw bytes into (status, headers, body) answers (Content-Length framed)."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError("incomplete answer: %r" % (data[:200],))
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        out.append((status, hdrs, rest[:n]))
        data = rest[n:]
    return out


def request_bytes(action, body=b"{}", extra=b""):
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " + PREFIX.encode() +
            action.encode() + b"\r\nContent-Type: " + JSON11.encode() + b"\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


# --------------------------------------------------------------------------
# AWS Signature Version 4, client side, for the signed cases


def sign(host, body, key, secret, amz_date, target, region="us-east-1", service="ecs"):
    """Headers for a SigV4-signed POST / of the JSON protocol."""
    headers = {"Content-Type": JSON11, "Host": host, "X-Amz-Date": amz_date,
               "X-Amz-Target": target}
    names = sorted(k.lower() for k in headers)
    canon_headers = "".join("%s:%s\n" % (n, " ".join(headers[k].split()))
                            for n in names for k in headers if k.lower() == n)
    signed = ";".join(names)
    canon = "\n".join(["POST", "/", "", canon_headers, signed,
                       hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(canon.encode()).hexdigest()])

    def h(k, m):
        return hmac.new(k, m.encode(), hashlib.sha256).digest()

    k = h(("AWS4" + secret).encode(), amz_date[:8])
    for part in (region, service, "aws4_request"):
        k = h(k, part)
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                "Signature=%s" % (key, scope, signed, sig))
    return headers


def amz_now(offset_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y%m%dT%H%M%SZ")


def signed_call(srv, action, request, key, secret, amz_date=None, tamper=None, region="us-east-1"):
    body = json.dumps(request).encode()
    headers = sign("127.0.0.1:%d" % srv.port, body, key, secret, amz_date or amz_now(),
                   PREFIX + action, region=region)
    if tamper is not None:
        body = tamper(body)
    c = srv.conn()
    try:
        c.request("POST", "/", body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        return r.status, json.loads(data.decode()) if data else None
    finally:
        c.close()


# --------------------------------------------------------------------------
# The protocol


class ProtocolTest(unittest.TestCase):
    """One frozen-time server for the protocol cases."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server("--frozen-time", "--seed", "7")

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        if rc != 0:
            raise AssertionError("ecs-sim exited with %r: %r" % (rc, cls.srv.lines))

    def setUp(self):
        self.c = self.srv.conn()

    def tearDown(self):
        self.c.close()
        self.assertTrue(self.srv.alive(), "the server died: %r" % (self.srv.lines,))

    def ok(self, action, request=None):
        status, hdrs, doc = call(self.c, action, request)
        self.assertEqual(status, 200, "%s: %r" % (action, doc))
        self.assertTrue(hdrs.get("x-amzn-requestid"))
        self.assertEqual(hdrs.get("content-type"), JSON11)
        return doc

    def test_banner_says_loopback_and_frozen_time(self):
        text = "\n".join(self.srv.lines)
        self.assertIn("listening on 127.0.0.1:%d" % self.srv.port, text)
        self.assertIn("frozen", text)
        self.assertIn("not authenticated", text)
        self.assertNotIn("warning", text)

    def test_taskdef_cluster_and_run_task(self):
        now = self.ok("AdvanceTime", {"seconds": 0})["now"]
        self.assertGreaterEqual(now, START)
        td = self.ok("RegisterTaskDefinition", load_taskdef())["taskDefinition"]
        self.assertEqual(td["family"], "my-api")
        self.assertEqual(td["containerDefinitions"][0]["name"], "api-container")
        self.assertEqual(td["registeredAt"], now)  # the frozen clock
        cl = self.ok("CreateCluster", {"clusterName": "proto"})["cluster"]
        self.assertEqual(cl["clusterArn"], "arn:aws:ecs:us-east-1:123456789012:cluster/proto")
        self.ok("RegisterSubnets", {"subnets": SUBNETS})
        run = self.ok("RunTask", {"cluster": "proto", "taskDefinition": "my-api",
                                  "launchType": "FARGATE", "count": 3,
                                  "networkConfiguration": NETWORK})
        self.assertEqual(len(run["tasks"]), 3, run)
        self.assertEqual(run["failures"], [])
        arns = sorted(t["taskArn"] for t in run["tasks"])
        listed = self.ok("ListTasks", {"cluster": "proto"})["taskArns"]
        self.assertEqual(sorted(listed), arns)
        desc = self.ok("DescribeClusters", {"clusters": ["proto"]})
        self.assertEqual(desc["clusters"][0]["clusterName"], "proto")
        got = self.ok("DescribeTasks", {"cluster": "proto", "tasks": arns})
        self.assertEqual(sorted(t["taskArn"] for t in got["tasks"]), arns)

    def test_request_ids_differ(self):
        ids = set()
        for _ in range(20):
            _, hdrs, _ = call(self.c, "ListClusters", {})
            ids.add(hdrs["x-amzn-requestid"])
        self.assertEqual(len(ids), 20)
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    def test_ecs_errors_are_400_with_type(self):
        status, hdrs, doc = call(self.c, "ListTasks", {"cluster": "no-such-cluster"})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "ClusterNotFoundException")
        self.assertTrue(doc["message"])
        self.assertTrue(hdrs.get("x-amzn-requestid"))
        status, _, doc = call(self.c, "CreateCluster", {"clusterName": "bad name!"})
        self.assertEqual(status, 400)
        self.assertIn(doc["__type"], ("InvalidParameterException", "ClientException"))
        status, _, doc = call(self.c, "CreateCluster", {"clusterName": 7})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "SerializationException")
        self.c.request("POST", "/", body=b"{not json",
                       headers={"X-Amz-Target": PREFIX + "ListClusters", "Content-Type": JSON11})
        r = self.c.getresponse()
        doc = json.loads(r.read())
        self.assertEqual((r.status, doc["__type"]), (400, "SerializationException"))

    def test_empty_body_is_an_empty_request(self):
        self.c.request("POST", "/", body=b"",
                       headers={"X-Amz-Target": PREFIX + "ListClusters", "Content-Type": JSON11})
        r = self.c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertIn("clusterArns", json.loads(r.read()))

    def test_unknown_targets(self):
        for target in (PREFIX + "NoSuchAction", "DynamoDB_20120810.ListTables",
                       "AmazonEC2ContainerServiceV20141113", PREFIX):
            status, hdrs, doc = call(self.c, None, {}, target=target)
            self.assertEqual(status, 400, target)
            self.assertEqual(doc["__type"], "UnknownOperationException", target)
            self.assertTrue(hdrs.get("x-amzn-requestid"))
        self.c.request("POST", "/", body=b"{}", headers={"Content-Type": JSON11})
        r = self.c.getresponse()
        doc = json.loads(r.read())
        self.assertEqual((r.status, doc["__type"]), (400, "UnknownOperationException"))

    def test_services_over_http(self):
        """A service on the frozen-time server: CreateService answers at once
        with no task; AdvanceTime lets the simulated agents run its tasks."""
        self.ok("CreateCluster", {"clusterName": "svc-http"})
        self.ok("RegisterSubnets", {"subnets": SUBNETS})
        with open(taskdef_path(), encoding="utf-8") as f:
            self.ok("RegisterTaskDefinition", json.load(f))
        doc = self.ok("CreateService", {"cluster": "svc-http", "serviceName": "api",
                                        "taskDefinition": "my-api", "desiredCount": 2,
                                        "launchType": "FARGATE", "networkConfiguration": NETWORK})
        self.assertEqual((doc["service"]["desiredCount"], doc["service"]["runningCount"]), (2, 0))
        self.ok("AdvanceTime", {"seconds": 60})
        svc = self.ok("DescribeServices", {"cluster": "svc-http", "services": ["api"]})["services"][0]
        self.assertEqual((svc["runningCount"], svc["pendingCount"]), (2, 0))
        status, _, doc = call(self.c, "UpdateService", {"cluster": "svc-http", "service": "nope"})
        self.assertEqual((status, doc["__type"]), (400, "ServiceNotFoundException"))

    def test_get_and_other_methods(self):
        for method in ("GET", "PUT", "DELETE", "HEAD"):
            self.c.request(method, "/")
            r = self.c.getresponse()
            data = r.read()
            self.assertEqual(r.status, 405, method)
            self.assertEqual(r.getheader("Allow"), "POST")
            self.assertTrue(r.getheader("x-amzn-RequestId"))
            if method != "HEAD":
                self.assertEqual(json.loads(data)["__type"], "UnknownOperationException")
        # The connection is still good after them.
        self.ok("ListClusters", {})

    def test_head_answer_has_no_body(self):
        s = self.srv.sock()
        try:
            s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
                      request_bytes("ListClusters", extra=b"Connection: close\r\n"))
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        finally:
            s.close()
        head, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 405 "), data)
        self.assertIn(b"Content-Length: ", head)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200 OK\r\n"), data)

    def test_wrong_content_type(self):
        for ctype in ("application/json", "application/x-amz-json-1.0", "text/plain", None):
            h = {"X-Amz-Target": PREFIX + "ListClusters"}
            if ctype is not None:
                h["Content-Type"] = ctype
            self.c.request("POST", "/", body=b"{}", headers=h)
            r = self.c.getresponse()
            doc = json.loads(r.read())
            self.assertEqual(r.status, 400, ctype)
            self.assertEqual(doc["__type"], "UnknownOperationException", ctype)
            self.assertIn("application/x-amz-json-1.1", doc["message"])
        status, _, _ = call(self.c, "ListClusters", {},
                            headers={"Content-Type": JSON11 + "; charset=utf-8"})
        self.assertEqual(status, 200)

    def test_keep_alive_many_requests_one_connection(self):
        self.ok("ListClusters", {})
        sock = self.c.sock
        self.assertIsNotNone(sock)
        for i in range(50):
            _, hdrs, _ = call(self.c, "ListClusters", {})
            self.assertNotIn("connection", hdrs)
            self.assertIs(self.c.sock, sock, "reconnected at request %d" % i)

    def test_pipelined_requests_answered_in_order(self):
        s = self.srv.sock()
        try:
            s.sendall(request_bytes("ListClusters") + request_bytes("NoSuchAction") +
                      request_bytes("DescribeClusters", b'{"clusters":["nope"]}') +
                      request_bytes("ListClusters", extra=b"Connection: close\r\n"))
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        finally:
            s.close()
        answers = parse_responses(data)
        self.assertEqual([a[0] for a in answers], [200, 400, 200, 200])
        self.assertIn(b"UnknownOperationException", answers[1][2])
        self.assertIn(b"MISSING", answers[2][2])
        self.assertEqual(answers[3][1].get("connection"), "close")

    def test_expect_100_continue(self):
        s = self.srv.sock()
        try:
            body = b'{"clusterName":"cont"}'
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + PREFIX.encode() +
                      b"CreateCluster\r\nContent-Type: " + JSON11.encode() +
                      b"\r\nExpect: 100-continue\r\nContent-Length: " +
                      str(len(body)).encode() + b"\r\n\r\n")
            first = s.recv(4096)
            self.assertTrue(first.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), first)
            s.sendall(body)
            data = first[len(b"HTTP/1.1 100 Continue\r\n\r\n"):]
            while b"clusterArn" not in data:
                b = s.recv(4096)
                self.assertTrue(b)
                data += b
            self.assertTrue(data.startswith(b"HTTP/1.1 200 OK"), data)
        finally:
            s.close()

    def test_http_1_0_closes_after_answer(self):
        data = raw_exchange(self.srv, b"POST / HTTP/1.0\r\nX-Amz-Target: " + PREFIX.encode() +
                            b"ListClusters\r\nContent-Type: " + JSON11.encode() +
                            b"\r\nContent-Length: 2\r\n\r\n{}")
        answers = parse_responses(data)
        self.assertEqual(len(answers), 1)
        self.assertEqual(answers[0][0], 200)
        self.assertEqual(answers[0][1].get("connection"), "close")

    def test_advance_time_and_extensions_over_http(self):
        now = self.ok("AdvanceTime", {"seconds": 0})["now"]
        doc = self.ok("AdvanceTime", {"seconds": 90})
        self.assertAlmostEqual(doc["now"], now + 90, places=3)
        self.assertEqual(doc["events"], [])
        status, _, doc = call(self.c, "AdvanceTime", {"seconds": -1})
        self.assertEqual((status, doc["__type"]), (400, "InvalidParameterException"))
        status, _, doc = call(self.c, "AdvanceTime", [1])
        self.assertEqual((status, doc["__type"]), (400, "SerializationException"))
        self.ok("SetFargateCapacity", {"maxTasks": 0})
        self.ok("RegisterSubnets", {"subnets": SUBNETS})
        td = self.ok("RegisterTaskDefinition", dict(load_taskdef(), family="clock"))
        self.assertAlmostEqual(td["taskDefinition"]["registeredAt"], now + 90, places=3)


# --------------------------------------------------------------------------
# Malformed HTTP and hostile clients


class FaultTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server("--frozen-time")

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        if rc != 0:
            raise AssertionError("ecs-sim exited with %r: %r" % (rc, cls.srv.lines))

    def setUp(self):
        # A keep-alive client that must keep being served through every fault.
        self.bystander = self.srv.conn()
        self.assertEqual(call(self.bystander, "ListClusters", {})[0], 200)

    def tearDown(self):
        self.assertTrue(self.srv.alive(), "the server died: %r" % (self.srv.lines,))
        self.assertEqual(call(self.bystander, "ListClusters", {})[0], 200)
        fresh = self.srv.conn()
        self.assertEqual(call(fresh, "ListClusters", {})[0], 200)
        fresh.close()
        self.bystander.close()

    def expect_error_then_close(self, payload, status, shutdown_write=False):
        data = raw_exchange(self.srv, payload, shutdown_write=shutdown_write)
        answers = parse_responses(data)
        self.assertEqual(len(answers), 1, data[:300])
        st, hdrs, body = answers[0]
        self.assertEqual(st, status, body)
        self.assertEqual(hdrs.get("connection"), "close")
        self.assertTrue(hdrs.get("x-amzn-requestid"))
        self.assertTrue(json.loads(body)["__type"])
        return json.loads(body)

    def test_bad_request_lines(self):
        for line in (b"GARBAGE\r\n\r\n", b"POST /\r\n\r\n", b"POST / HTTP/1.1 extra\r\n\r\n",
                     b"POST  / HTTP/1.1\r\nHost: x\r\n\r\n", b"POST nopath HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"\x00\x01\x02 / HTTP/1.1\r\n\r\n"):
            doc = self.expect_error_then_close(line, 400)
            self.assertEqual(doc["__type"], "BadRequestException")

    def test_other_versions(self):
        self.expect_error_then_close(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)
        self.expect_error_then_close(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                                     b"\r\n\r\n0\r\n\r\n", 501)

    def test_malformed_fields(self):
        self.expect_error_then_close(b"POST / HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\n", 400)
        self.expect_error_then_close(b"POST / HTTP/1.1\r\nHost: x\r\nX: 1\r\n folded\r\n\r\n", 400)
        self.expect_error_then_close(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                     b"Content-Length: 3\r\n\r\n{}", 400)
        self.expect_error_then_close(b"POST / HTTP/1.1\r\n\r\n", 400)  # no Host

    def test_huge_headers(self):
        filler = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        payload = b"POST / HTTP/1.1\r\nHost: x\r\n" + filler * 20 + b"\r\n"
        doc = self.expect_error_then_close(payload, 431)
        self.assertIn("16384", doc["message"])
        # Without a blank line at all: the limit still applies.
        self.expect_error_then_close(b"POST / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 40000, 431)

    def test_huge_body_refused_before_it_is_read(self):
        doc = self.expect_error_then_close(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: " + JSON11.encode() +
            b"\r\nContent-Length: 2000000\r\n\r\n{", 413)
        self.assertIn("1048576", doc["message"])

    def test_truncated_body_then_close(self):
        data = raw_exchange(self.srv, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " +
                            PREFIX.encode() + b"ListClusters\r\nContent-Type: " +
                            JSON11.encode() + b"\r\nContent-Length: 100\r\n\r\n{\"a\":",
                            shutdown_write=True)
        # Nothing can be answered for a request that never arrives in full.
        self.assertEqual(data, b"")

    def test_complete_request_then_half_close_is_answered(self):
        data = raw_exchange(self.srv, request_bytes("ListClusters"), shutdown_write=True)
        answers = parse_responses(data)
        self.assertEqual([a[0] for a in answers], [200])

    def test_garbage_bytes(self):
        rnd = random.Random(1234)
        for n in (1, 17, 4096, 70000):
            payload = bytes(rnd.randrange(256) for _ in range(n))
            data = raw_exchange(self.srv, payload, shutdown_write=True)
            if data:
                st = parse_responses(data)[0][0]
                self.assertIn(st, (400, 431, 505), data[:200])

    def test_disconnect_mid_request(self):
        for cut in (5, 30, 80):
            payload = request_bytes("ListClusters", b'{"maxResults": 10}')[:cut]
            s = self.srv.sock()
            s.sendall(payload)
            s.close()
        # An abortive close (RST) mid-request.
        s = self.srv.sock()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        # A client that sends a request and leaves without reading the answer.
        s = self.srv.sock()
        s.sendall(request_bytes("ListClusters") * 50)
        s.close()

    def test_slow_client_does_not_starve_others(self):
        slow = [self.srv.sock() for _ in range(10)]
        try:
            for s in slow:
                s.sendall(b"POST / HT")  # and then nothing for a while
            t0 = time.monotonic()
            for _ in range(20):
                self.assertEqual(call(self.bystander, "ListClusters", {})[0], 200)
            self.assertLess(time.monotonic() - t0, 5.0)
            # The slow ones can still finish their requests.
            for s in slow:
                s.sendall(b"TP/1.1\r\nHost: x\r\nX-Amz-Target: " + PREFIX.encode() +
                          b"ListClusters\r\nContent-Type: " + JSON11.encode() +
                          b"\r\nContent-Length: 2\r\n\r\n{}")
            for s in slow:
                data = b""
                while b"clusterArns" not in data:
                    b = s.recv(4096)
                    self.assertTrue(b)
                    data += b
                self.assertTrue(data.startswith(b"HTTP/1.1 200 OK"))
        finally:
            for s in slow:
                s.close()

    def test_client_that_does_not_read_answers(self):
        # Requests keep coming, answers are never read: the server stops reading
        # from this client once its answers pile up, and serves the others.
        s = self.srv.sock()
        s.setblocking(False)
        sent = 0
        chunk = request_bytes("DescribeClusters", b'{"clusters":["a","b","c"]}') * 100
        deadline = time.monotonic() + 3
        try:
            while time.monotonic() < deadline and sent < 64 * 1024 * 1024:
                try:
                    sent += s.send(chunk)
                except BlockingIOError:
                    time.sleep(0.01)
            self.assertEqual(call(self.bystander, "ListClusters", {})[0], 200)
        finally:
            s.close()


class ConnectionLimitTest(unittest.TestCase):

    def test_connections_beyond_the_limit_get_503(self):
        srv = Server("--frozen-time")
        held = []
        try:
            for _ in range(256):
                held.append(srv.sock())
            # Every one of them is accepted and served at once.
            for s in held:
                s.sendall(request_bytes("ListClusters"))
            for s in held:
                got = b""
                while b"clusterArns" not in got:
                    b = s.recv(4096)
                    self.assertTrue(b)
                    got += b
                self.assertTrue(got.startswith(b"HTTP/1.1 200 OK"))
            extra = srv.sock()
            extra.settimeout(IO_TIMEOUT)
            data = b""
            while True:
                try:
                    b = extra.recv(4096)
                except ConnectionResetError:
                    break
                if not b:
                    break
                data += b
            extra.close()
            answers = parse_responses(data)
            self.assertEqual(answers[0][0], 503)
            self.assertEqual(json.loads(answers[0][2])["__type"], "ServiceUnavailableException")
            # One of the held connections is still served.
            held[0].sendall(request_bytes("ListClusters"))
            got = b""
            while b"clusterArns" not in got:
                b = held[0].recv(4096)
                self.assertTrue(b)
                got += b
            for s in held:
                s.close()
            held = []
            time.sleep(0.3)
            c = srv.conn()
            self.assertEqual(call(c, "ListClusters", {})[0], 200)
            c.close()
        finally:
            for s in held:
                s.close()
            self.assertEqual(srv.stop(), 0)


# --------------------------------------------------------------------------
# Load: 50 keep-alive clients at once


class LoadTest(unittest.TestCase):
    CLIENTS = 50
    PER_CLIENT = 40

    def test_fifty_keep_alive_clients(self):
        srv = Server("--frozen-time", "--seed", "3")
        try:
            c = srv.conn()
            self.assertEqual(call(c, "CreateCluster", {"clusterName": "load"})[0], 200)
            self.assertEqual(call(c, "RegisterSubnets", {"subnets": SUBNETS})[0], 200)
            self.assertEqual(call(c, "RegisterTaskDefinition", load_taskdef())[0], 200)
            c.close()
            errors, task_arns, counts = [], [], []
            lock = threading.Lock()
            barrier = threading.Barrier(self.CLIENTS)

            def client(i):
                conn = srv.conn()
                done = 0
                mine = []
                try:
                    barrier.wait(timeout=30)
                    sock = None
                    for k in range(self.PER_CLIENT):
                        kind = (i + k) % 4
                        if kind == 0:
                            st, _, doc = call(conn, "RunTask", {
                                "cluster": "load", "taskDefinition": "my-api",
                                "launchType": "FARGATE", "networkConfiguration": NETWORK})
                            if st == 200 and len(doc["tasks"]) == 1:
                                mine.append(doc["tasks"][0]["taskArn"])
                        elif kind == 1:
                            st, _, doc = call(conn, "DescribeClusters", {"clusters": ["load"]})
                        elif kind == 2:
                            st, _, doc = call(conn, "ListTasks", {"cluster": "load",
                                                                  "maxResults": 10})
                        else:
                            st, _, doc = call(conn, "ListClusters", {})
                        if st != 200:
                            raise AssertionError("status %d: %r" % (st, doc))
                        if sock is None:
                            sock = conn.sock
                        elif conn.sock is not sock:
                            raise AssertionError("connection was not kept alive")
                        done += 1
                except Exception as e:  # noqa: BLE001 - reported below
                    with lock:
                        errors.append("client %d: %r" % (i, e))
                finally:
                    conn.close()
                    with lock:
                        task_arns.extend(mine)
                        counts.append(done)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(self.CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            self.assertFalse(any(t.is_alive() for t in threads), "clients did not finish")
            self.assertEqual(errors, [])
            self.assertEqual(sum(counts), self.CLIENTS * self.PER_CLIENT)
            expected_runs = sum(1 for i in range(self.CLIENTS) for k in range(self.PER_CLIENT)
                                if (i + k) % 4 == 0)
            self.assertEqual(len(task_arns), expected_runs)
            self.assertEqual(len(set(task_arns)), expected_runs)
            # Every RunTask is in the state: page through ListTasks.
            c = srv.conn()
            listed, token = [], None
            for _ in range(1000):
                req = {"cluster": "load", "maxResults": 100}
                if token:
                    req["nextToken"] = token
                st, _, doc = call(c, "ListTasks", req)
                self.assertEqual(st, 200, doc)
                listed.extend(doc["taskArns"])
                token = doc.get("nextToken")
                if not token:
                    break
            c.close()
            self.assertEqual(sorted(listed), sorted(task_arns))
        finally:
            self.assertEqual(srv.stop(), 0)


# --------------------------------------------------------------------------
# Time


class WallClockTest(unittest.TestCase):

    def test_time_follows_the_wall_clock_and_advances(self):
        srv = Server()
        try:
            self.assertIn("wall clock", "\n".join(srv.lines))
            c = srv.conn()
            st, _, doc = call(c, "RegisterTaskDefinition", load_taskdef())
            self.assertEqual(st, 200, doc)
            self.assertLess(abs(doc["taskDefinition"]["registeredAt"] - time.time()), 10)
            st, _, doc = call(c, "AdvanceTime", {"seconds": 3600})
            self.assertEqual(st, 200, doc)
            self.assertLess(abs(doc["now"] - (time.time() + 3600)), 10)
            st, _, doc = call(c, "RegisterTaskDefinition", load_taskdef())
            self.assertLess(abs(doc["taskDefinition"]["registeredAt"] - (time.time() + 3600)), 10)
            c.close()
        finally:
            self.assertEqual(srv.stop(), 0)


# --------------------------------------------------------------------------
# Signature Version 4


KEY, SECRET = "AKIDSERVETEST", "s3cr3t/Key+With/Slashes"


class SigV4Test(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server("--frozen-time", "--credentials", "%s:%s" % (KEY, SECRET))

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        if rc != 0:
            raise AssertionError("ecs-sim exited with %r: %r" % (rc, cls.srv.lines))

    def test_banner_does_not_show_the_secret(self):
        text = "\n".join(self.srv.lines)
        self.assertIn("Signature Version 4", text)
        self.assertNotIn(SECRET, text)

    def test_signed_request_is_accepted(self):
        st, doc = signed_call(self.srv, "CreateCluster", {"clusterName": "signed"}, KEY, SECRET)
        self.assertEqual(st, 200, doc)
        self.assertEqual(doc["cluster"]["clusterName"], "signed")

    def test_wrong_signature_is_refused(self):
        st, doc = signed_call(self.srv, "ListClusters", {}, KEY, "not-the-secret")
        self.assertEqual(st, 403)
        self.assertEqual(doc["__type"], "InvalidSignatureException")

    def test_stale_and_future_dates_are_refused(self):
        for offset in (-20 * 60, 20 * 60):
            st, doc = signed_call(self.srv, "ListClusters", {}, KEY, SECRET,
                                  amz_date=amz_now(offset))
            self.assertEqual(st, 403)
            self.assertEqual(doc["__type"], "InvalidSignatureException")
            self.assertIn("expired", doc["message"])
        st, doc = signed_call(self.srv, "ListClusters", {}, KEY, SECRET, amz_date=amz_now(-5 * 60))
        self.assertEqual(st, 200, doc)

    def test_unknown_key_other_region_and_changed_body(self):
        st, doc = signed_call(self.srv, "ListClusters", {}, "AKIDNOBODY", SECRET)
        self.assertEqual((st, doc["__type"]), (403, "UnrecognizedClientException"))
        st, doc = signed_call(self.srv, "ListClusters", {}, KEY, SECRET, region="eu-west-1")
        self.assertEqual((st, doc["__type"]), (403, "InvalidSignatureException"))
        st, doc = signed_call(self.srv, "CreateCluster", {"clusterName": "abc"}, KEY, SECRET,
                              tamper=lambda b: b.replace(b"abc", b"xyz"))
        self.assertEqual((st, doc["__type"]), (403, "InvalidSignatureException"))

    def test_unsigned_requests_are_refused(self):
        c = self.srv.conn()
        try:
            st, hdrs, doc = call(c, "ListClusters", {})
            self.assertEqual((st, doc["__type"]), (403, "MissingAuthenticationTokenException"))
            self.assertTrue(hdrs.get("x-amzn-requestid"))
            c.request("GET", "/")
            r = c.getresponse()
            self.assertEqual(r.status, 403)
            self.assertEqual(json.loads(r.read())["__type"], "MissingAuthenticationTokenException")
        finally:
            c.close()

    def test_credentials_file(self):
        path = os.path.abspath(os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                            "ecs-sim-creds-%d.txt" % os.getpid()))
        with open(path, "w", encoding="utf-8") as f:
            f.write("# access keys\n\nAKIDONE:secret-one\n  AKIDTWO:secret-two  \n")
        srv = Server("--frozen-time", "--credentials-file", path)
        try:
            self.assertEqual(signed_call(srv, "ListClusters", {}, "AKIDONE", "secret-one")[0], 200)
            self.assertEqual(signed_call(srv, "ListClusters", {}, "AKIDTWO", "secret-two")[0], 200)
            self.assertEqual(signed_call(srv, "ListClusters", {}, "AKIDONE", "secret-two")[0], 403)
        finally:
            self.assertEqual(srv.stop(), 0)
            os.unlink(path)

    def test_bad_options_are_refused_at_start(self):
        for args in (["--serve", "127.0.0.1:0", "--credentials", "nocolon"],
                     ["--serve", "127.0.0.1:0", "--credentials-file", "/nonexistent/file"],
                     ["--serve", "not-a-port"],
                     ["--serve", "127.0.0.1:99999"],
                     ["--frozen-time"]):
            p = subprocess.run([ECS_SIM] + args, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 2, args)
            self.assertTrue(p.stderr, args)


# --------------------------------------------------------------------------
# The real clients: boto3 and the AWS CLI (Debian packages)


DEBIAN_PYTHON = "/usr/bin/python3"


def find_aws():
    return "/usr/bin/aws" if os.access("/usr/bin/aws", os.X_OK) else shutil.which("aws")


def have_boto3():
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        return False
    p = subprocess.run([DEBIAN_PYTHON, "-c", "import boto3"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
    return p.returncode == 0


class AwsClientsTest(unittest.TestCase):
    """boto3 and the AWS CLI against a signed, frozen-time server."""

    @classmethod
    def setUpClass(cls):
        cls.boto3 = have_boto3()
        cls.aws = find_aws()
        cls.srv = Server("--frozen-time", "--credentials", "%s:%s" % (KEY, SECRET))
        cls.endpoint = "http://127.0.0.1:%d" % cls.srv.port
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                       AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
                       AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                       AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1",
                       no_proxy="127.0.0.1")
        for v in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "AWS_PROFILE"):
            cls.env.pop(v, None)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        if rc != 0:
            raise AssertionError("ecs-sim exited with %r: %r" % (rc, cls.srv.lines))

    def run_boto3(self, scenario):
        if not self.boto3:
            self.skipTest("boto3 is not installed for /usr/bin/python3 "
                          "(apt-get install python3-boto3)")
        p = subprocess.run([DEBIAN_PYTHON, os.path.join(HERE, "aws_clients.py"), scenario,
                            self.endpoint, taskdef_path()],
                           env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode == 3:
            self.skipTest(out.strip().splitlines()[-1] if out.strip() else "skipped")
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))
        return out

    def aws_cli(self, *args, check=True):
        if not self.aws:
            self.skipTest("the AWS CLI is not installed (apt-get install awscli)")
        p = subprocess.run([self.aws] + list(args) + ["--endpoint-url", self.endpoint,
                                                      "--output", "json"],
                           env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300, cwd=ECS_SOURCE_DIR)
        if check:
            self.assertEqual(p.returncode, 0, "aws %s:\n%s\n%s" % (
                " ".join(args), p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace")))
        return p

    def test_boto3_clusters_paginators_and_exceptions(self):
        out = self.run_boto3("basics")
        self.assertIn("OK basics", out)

    def test_boto3_tasks_running_waiter(self):
        self.run_boto3("tasks-running")

    def test_boto3_services_and_services_stable_waiter(self):
        self.run_boto3("services")

    def test_boto3_wrong_signature_is_refused(self):
        out = self.run_boto3("bad-signature")
        self.assertIn("InvalidSignatureException", out)

    def test_aws_cli_register_task_definition_and_describe_clusters(self):
        p = self.aws_cli("ecs", "register-task-definition", "--cli-input-json",
                         "file://examples/my-api-taskdef.json")
        td = json.loads(p.stdout)["taskDefinition"]
        self.assertEqual(td["family"], "my-api")
        self.assertEqual(td["containerDefinitions"][0]["name"], "api-container")
        self.aws_cli("ecs", "create-cluster", "--cluster-name", "cli")
        p = self.aws_cli("ecs", "describe-clusters", "--clusters", "cli")
        self.assertEqual(json.loads(p.stdout)["clusters"][0]["clusterName"], "cli")
        p = self.aws_cli("ecs", "list-task-definitions", "--family-prefix", "my-api")
        self.assertTrue(json.loads(p.stdout)["taskDefinitionArns"])
        p = self.aws_cli("ecs", "list-tasks", "--cluster", "no-such-cluster", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"ClusterNotFoundException", p.stderr)

    def test_aws_cli_services(self):
        """The README's first example, its commands word for word with only
        --endpoint-url added, against a server whose clock follows the wall
        clock (the CLI's services-stable waiter polls every 15 s)."""
        if not self.aws:
            self.skipTest("the AWS CLI is not installed (apt-get install awscli)")
        with open(os.path.join(ECS_SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        block = readme.split("aws ecs create-cluster --cluster-name prod", 1)[1].split("```", 1)[0]
        commands = ["aws ecs create-cluster --cluster-name prod"] + [
            l for l in block.splitlines() if l.startswith("aws ecs ")]
        self.assertEqual([c.split()[2] for c in commands],
                         ["create-cluster", "register-task-definition", "create-service",
                          "wait", "describe-services"])
        srv = Server("--subnets", "subnet-0a1=us-east-1a,subnet-0b2=us-east-1b",
                     "--credentials", "%s:%s" % (KEY, SECRET))
        try:
            endpoint = "http://127.0.0.1:%d" % srv.port
            outs = []
            for c in commands:
                args = shlex.split(c)
                p = subprocess.run([self.aws] + args[1:] + ["--endpoint-url", endpoint,
                                                            "--output", "json"],
                                   env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=300, cwd=ECS_SOURCE_DIR)
                self.assertEqual(p.returncode, 0, "%s:\n%s" % (c, p.stderr.decode(errors="replace")))
                outs.append(p.stdout)
            svc = json.loads(outs[-1])["services"][0]
            self.assertEqual((svc["serviceName"], svc["runningCount"], svc["desiredCount"]),
                             ("my-api", 2, 2))
            self.assertEqual(svc["loadBalancers"][0]["containerName"], "api-container")
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_aws_cli_wrong_secret_is_refused(self):
        if not self.aws:
            self.skipTest("the AWS CLI is not installed (apt-get install awscli)")
        env = dict(self.env, AWS_SECRET_ACCESS_KEY="wrong")
        p = subprocess.run([self.aws, "ecs", "list-clusters", "--endpoint-url", self.endpoint],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"InvalidSignatureException", p.stderr)


if __name__ == "__main__":
    unittest.main()
