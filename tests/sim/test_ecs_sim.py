"""Contract tests for ecs-sim (tools/ecs-sim/ecs_sim.c, README section of issue 3).

Run by CTest as the test `sim_contract`:
    ECS_SIM=/path/to/ecs-sim ECS_SOURCE_DIR=/path/to/repo python3 -m unittest -v test_ecs_sim

Only the Python standard library is used (unittest, subprocess); Python 3.9+.
"""
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import unittest

START = 1767225600  # 2026-01-01T00:00:00Z
TIMEOUT = 60        # seconds for one whole ecs-sim run
PIPE_TIMEOUT = 10   # seconds to wait for one answer in the pipe test

ECS_SIM = os.environ.get("ECS_SIM")
ECS_SOURCE_DIR = os.environ.get("ECS_SOURCE_DIR")


def setUpModule():
    if not ECS_SIM or not os.access(ECS_SIM, os.X_OK):
        raise RuntimeError("set ECS_SIM to the ecs-sim binary (got %r)" % (ECS_SIM,))
    if not ECS_SOURCE_DIR or not os.path.isdir(ECS_SOURCE_DIR):
        raise RuntimeError("set ECS_SOURCE_DIR to the repository root (got %r)" % (ECS_SOURCE_DIR,))


# --------------------------------------------------------------------------
# Helpers


def _reject_constant(name):
    raise ValueError("not JSON: %s" % name)


def strict_loads(text):
    """json.loads that refuses NaN/Infinity (Python accepts them, JSON does not)."""
    return json.loads(text, parse_constant=_reject_constant)


def call(action, request=None):
    """One input line (a str without the newline)."""
    obj = {"action": action}
    if request is not None:
        obj["request"] = request
    return json.dumps(obj)


def script(*lines):
    return "".join(line + "\n" for line in lines)


def run_sim(args=(), stdin_text=""):
    """Run ecs-sim; return (returncode, stdout bytes, stderr bytes)."""
    p = subprocess.run([ECS_SIM] + list(args), input=stdin_text.encode("utf-8"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def identity_doc(instance_id, az="us-east-1a", itype="m5.large"):
    return json.dumps({"instanceId": instance_id, "availabilityZone": az,
                       "instanceType": itype, "imageId": "ami-0abcdef1234567890",
                       "architecture": "x86_64", "region": "us-east-1"})


def register_instance(cluster, instance_id, az="us-east-1a"):
    return call("RegisterContainerInstance", {
        "cluster": cluster,
        "instanceIdentityDocument": identity_doc(instance_id, az),
        "totalResources": [
            {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 7680}],
        "versionInfo": {"agentVersion": "1.89.0", "dockerVersion": "DockerVersion: 25.0.8"},
    })


WEB_TASKDEF = {
    "family": "web",
    "networkMode": "bridge",
    "containerDefinitions": [{
        "name": "nginx", "image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 256,
        "memory": 512, "essential": True,
        "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
    }],
}


class SimTestCase(unittest.TestCase):
    maxDiff = None

    def parse_output(self, out):
        """Check that stdout is JSON Lines with the documented shapes; return the objects."""
        text = out.decode("utf-8")  # raises on invalid UTF-8
        if text:
            self.assertTrue(text.endswith("\n"), "output does not end with a newline: %r" % text[-80:])
        objs = []
        for n, line in enumerate(text.split("\n")[:-1] if text else [], 1):
            self.assertNotIn("\r", line)
            try:
                obj = strict_loads(line)
            except ValueError as e:
                self.fail("output line %d is not valid JSON (%s): %r" % (n, e, line))
            self.check_shape(obj, line)
            objs.append(obj)
        return objs

    def check_shape(self, obj, line):
        self.assertIsInstance(obj, dict, line)
        keys = set(obj)
        self.assertIn(keys, ({"action", "response"}, {"action", "error"}, {"error"}),
                      "unexpected top-level keys in %r" % line)
        if "action" in obj:
            self.assertIsInstance(obj["action"], str, line)
        if "response" in obj:
            self.assertIsInstance(obj["response"], dict, line)
        if "error" in obj:
            err = obj["error"]
            self.assertIsInstance(err, dict, line)
            self.assertEqual(set(err), {"code", "message"}, line)
            self.assertIsInstance(err["code"], str, line)
            self.assertIsInstance(err["message"], str, line)
            self.assertTrue(err["code"], line)
            self.assertTrue(err["message"], line)
        if keys == {"error"}:
            self.assertEqual(obj["error"]["code"], "SerializationException", line)

    def sim(self, text, args=()):
        """Run a script that must be read to its end: exit 0, returns parsed lines."""
        rc, out, err = run_sim(args, text)
        self.assertEqual(rc, 0, "exit status %d, stderr: %s" % (rc, err.decode("utf-8", "replace")))
        return self.parse_output(out)

    def assertSuccess(self, obj, action):
        self.assertEqual(obj.get("action"), action, obj)
        self.assertIn("response", obj, obj)

    def assertError(self, obj, action, code=None):
        self.assertEqual(obj.get("action"), action, obj)
        self.assertIn("error", obj, obj)
        if code is not None:
            self.assertEqual(obj["error"]["code"], code, obj)

    def assertSerializationError(self, obj):
        self.assertEqual(set(obj), {"error"}, obj)
        self.assertEqual(obj["error"]["code"], "SerializationException", obj)

    def assertNumber(self, v, msg=None):
        self.assertTrue(isinstance(v, (int, float)) and not isinstance(v, bool),
                        msg or "%r is not a JSON number" % (v,))


# --------------------------------------------------------------------------
# Command line


class CommandLine(SimTestCase):
    def test_help(self):
        """--help prints the usage on stdout and exits 0."""
        rc, out, err = run_sim(["--help"])
        self.assertEqual(rc, 0)
        text = out.decode("utf-8")
        self.assertIn("usage: ecs-sim", text)
        for opt in ("--seed", "--agent", "--lenient", "AdvanceTime"):
            self.assertIn(opt, text)

    def test_agent_values_accepted(self):
        """--agent auto and --agent manual are accepted; no visible difference yet."""
        text = script(call("CreateCluster", {"clusterName": "a"}),
                      call("DescribeClusters", {"clusters": ["a"]}))
        rc0, base, _ = run_sim([], text)
        self.assertEqual(rc0, 0)
        for mode in ("auto", "manual"):
            with self.subTest(agent=mode):
                rc, out, err = run_sim(["--agent", mode], text)
                self.assertEqual(rc, 0, err)
                self.assertEqual(out, base)
                self.assertEqual(len(self.parse_output(out)), 2)

    def test_agent_bad_value_refused(self):
        """--agent with another value: non-zero exit, a message on stderr, no call run."""
        for bad in ("automatic", "", "MANUAL"):
            with self.subTest(agent=bad):
                rc, out, err = run_sim(["--agent", bad], script(call("CreateCluster")))
                self.assertNotEqual(rc, 0)
                self.assertTrue(err.strip(), "no message on stderr")
                self.assertEqual(out, b"")


# --------------------------------------------------------------------------
# The manual: ecs-sim --help and the README's ECS-SIM section (issue 11)


def help_text():
    rc, out, err = run_sim(["--help"])
    if rc != 0:
        raise AssertionError("--help exit status %d: %r" % (rc, err))
    return out.decode("utf-8")


def help_options(text):
    """[(option, metavar or None)] from the Options section of the usage."""
    section = text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    found = []
    for line in section.split("\n"):
        m = re.match(r"^  (--[a-z][a-z-]*)(?:, -[a-z])?(?: (\S+))?", line)
        if m and m.group(1) not in [o for o, _ in found]:
            found.append((m.group(1), m.group(2)))
    return found


def source_options():
    """Every option ecs_sim.c compares an argument with."""
    with open(os.path.join(ECS_SOURCE_DIR, "tools", "ecs-sim", "ecs_sim.c"), encoding="utf-8") as f:
        return sorted(set(re.findall(r'strcmp\(a, "(--[a-z][a-z-]*)"\)', f.read())))


def extension_actions():
    """The actions libecs serves that are not ECS's (lib/api/api.c's table
    less the ECS API's operations), and ecs-sim's AdvanceTime."""
    with open(os.path.join(ECS_SOURCE_DIR, "lib", "api", "api.c"), encoding="utf-8") as f:
        served = set(re.findall(r'\{ "(\w+)", ecs_act__', f.read()))
    with open(os.path.join(ECS_SOURCE_DIR, "bindings", "python", "libecs", "_model.py"),
              encoding="utf-8") as f:
        model = f.read()
    ecs_ops = set(re.findall(r'\("(\w+)", "\w+"\)', model.split("EXTENSIONS", 2)[1]))
    return sorted(served - ecs_ops) + ["AdvanceTime"]


EXTENSION_ACTIONS = ["AdvanceTime", "RegisterSubnets", "SetFargateCapacity", "SubmitContainerHealth",
                     "SubmitTargetHealth", "ModifyTargetGroupAttributes", "SetAlarmState",
                     "PreviewDeployment", "UpdateServiceOptions"]
KNOBS = ["start-seconds", "fail-start", "exit-after-seconds", "exit-code", "unhealthy-after-seconds",
         "stop-seconds", "target-unhealthy-after-seconds"]


class Manual(SimTestCase):
    def test_help_lines_fit_80_columns(self):
        for line in help_text().split("\n"):
            self.assertLessEqual(len(line), 79, line)

    def test_help_lists_every_option_the_program_accepts(self):
        listed = [o for o, _ in help_options(help_text())]
        for opt in source_options():
            with self.subTest(option=opt):
                self.assertIn(opt, listed)
        for opt in ("--seed", "--agent", "--lenient", "--subnets", "--serve", "--frozen-time",
                    "--credentials", "--credentials-file", "--help"):
            self.assertIn(opt, listed)

    def test_every_option_in_the_help_is_accepted(self):
        """Each option the usage lists, given a value of its metavar, is not
        refused as unknown (options that need --serve say so instead)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "in.jsonl")
            with open(path, "w") as f:
                f.write(call("ListClusters") + "\n")
            samples = {"N": "7", "ID=ZONE[,ID=ZONE...]": "subnet-a=us-east-1a", "FILE": path,
                       "ACCESS_KEY:SECRET": "AKIDEXAMPLE:secret",
                       "FILE.svg": os.path.join(tmp, "out.svg"), "WHEN": "never"}
            for opt, metavar in help_options(help_text()):
                args = [opt]
                if opt == "--serve":
                    args += ["127.0.0.1:0", path]   # refused for the file: it never listens
                elif metavar is not None:
                    args.append(samples.get(metavar, metavar.split("|")[0]))
                with self.subTest(args=args):
                    rc, out, err = run_sim(args, call("ListClusters") + "\n")
                    self.assertNotIn(b"unknown option", err)
                    self.assertIn(rc, (0, 2), err)

    def test_help_lists_every_extension_action_and_knob(self):
        text = help_text()
        self.assertEqual(sorted(extension_actions()), sorted(EXTENSION_ACTIONS))
        for name in EXTENSION_ACTIONS:
            with self.subTest(action=name):
                self.assertIn("\n  %s {" % name, text)
        for knob in KNOBS:
            self.assertIn("libecs.sim." + knob, text)

    def test_every_extension_action_is_served(self):
        """Called with an empty request, each extension action answers (an
        error about its members, at most), never UnknownOperationException."""
        lines = [call(name, {}) for name in EXTENSION_ACTIONS] + [call("NoSuchAction", {})]
        objs = self.sim(script(*lines))
        self.assertEqual(len(objs), len(lines))
        for name, obj in zip(EXTENSION_ACTIONS, objs):
            with self.subTest(action=name):
                self.assertEqual(obj["action"], name)
                if "error" in obj:
                    self.assertNotEqual(obj["error"]["code"], "UnknownOperationException", obj)
        self.assertEqual(objs[-1]["error"]["code"], "UnknownOperationException")

    def test_readme_section_covers_options_actions_and_knobs(self):
        with open(os.path.join(ECS_SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme.split("\n## ECS-SIM\n", 1)[1].split("\n## ", 1)[0]
        for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "INPUT AND OUTPUT",
                        "EXTENSION ACTIONS", "SIMULATED AGENT", "EXIT STATUS", "EXAMPLES"):
            self.assertIn("\n### %s\n" % heading, section)
        for opt, _ in help_options(help_text()):
            self.assertIn("`%s" % opt, section, opt)
        for name in EXTENSION_ACTIONS:
            self.assertIn('"action":"%s"' % name, section, name)
        for knob in KNOBS:
            self.assertIn("libecs.sim." + knob, section)

    def test_readme_section_examples_run(self):
        """Each ```sh example of the README's ECS-SIM section that runs
        ecs-sim on JSON Lines runs as written (from the top of the checkout,
        with ./build/tools/ecs-sim replaced by the binary under test): exit
        status 0, some output, and ECS errors only where the example shows
        them. The --serve examples (servers, the AWS CLI, curl) are left to
        tests/server."""
        with open(os.path.join(ECS_SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme.split("\n## ECS-SIM\n", 1)[1].split("\n## ", 1)[0]
        blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
        ran = 0
        for block in blocks:
            if "--serve" in block or "aws ecs" in block or "ecs-sim" not in block:
                continue
            with self.subTest(block=block[:120]):
                p = subprocess.run(["sh", "-c", block.replace("./build/tools/ecs-sim", ECS_SIM)],
                                   cwd=ECS_SOURCE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=TIMEOUT)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.strip(), "no output")
                # the shipped walkthroughs show errors on purpose; the one-liners do not
                if "not json" not in block and "--help" not in block and not re.search(r"examples/(?!web\.jsonl)\w+\.jsonl", block):
                    errors = [l[:300] for l in p.stdout.decode("utf-8").split("\n") if '"error":' in l]
                    self.assertEqual(errors, [])
                ran += 1
        self.assertGreaterEqual(ran, 20)

    def test_manual_target_orders(self):
        """--agent manual: a task behind a load balancer that reports RUNNING
        gets REGISTER_TARGET orders with the target group, target and port."""
        tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
        head = [call("CreateCluster", {"clusterName": "c"}), register_instance("c", "i-0000000000000000a"),
                call("RegisterTaskDefinition", WEB_TASKDEF),
                call("CreateService", {"cluster": "c", "serviceName": "web", "taskDefinition": "web",
                                       "desiredCount": 1, "loadBalancers": [
                                           {"targetGroupArn": tg, "containerName": "nginx",
                                            "containerPort": 80}]}),
                call("AdvanceTime", {"seconds": 1})]
        start = self.sim(script(*head), ["--agent", "manual"])[-1]["response"]["orders"]
        self.assertEqual([o["order"] for o in start], ["START"])
        task = start[0]["taskArn"]
        objs = self.sim(script(*head, call("SubmitTaskStateChange", {"cluster": "c", "task": task,
                                                                      "status": "RUNNING"}),
                               call("AdvanceTime", {"seconds": 1})), ["--agent", "manual"])
        orders = objs[-1]["response"]["orders"]
        self.assertEqual(len(orders), 1, orders)
        self.assertEqual(orders[0]["order"], "REGISTER_TARGET")
        self.assertEqual(orders[0]["taskArn"], task)
        self.assertEqual(orders[0]["targetGroupArn"], tg)
        self.assertEqual(orders[0]["targetId"], "i-0000000000000000a")
        self.assertGreaterEqual(orders[0]["targetPort"], 49153)


# --------------------------------------------------------------------------
# Input


class Input(SimTestCase):
    TEXT = script(call("CreateCluster", {"clusterName": "from-input"}),
                  call("ListClusters"))

    def check_from_input(self, objs):
        self.assertEqual(len(objs), 2)
        self.assertSuccess(objs[0], "CreateCluster")
        self.assertEqual(objs[0]["response"]["cluster"]["clusterName"], "from-input")
        self.assertSuccess(objs[1], "ListClusters")

    def test_reads_file(self):
        """FILE given: calls are read from it (and not from stdin)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "calls.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.TEXT)
            # stdin holds something else: it must be ignored
            objs = self.sim(script(call("DeleteCluster", {"cluster": "x"})) * 3, [path])
        self.check_from_input(objs)

    def test_reads_stdin_without_file(self):
        """No FILE: calls are read from standard input."""
        self.check_from_input(self.sim(self.TEXT))

    def test_reads_stdin_with_dash(self):
        """FILE '-': calls are read from standard input."""
        self.check_from_input(self.sim(self.TEXT, ["-"]))

    def test_last_line_without_newline(self):
        """The last line is a call even without a final newline."""
        objs = self.sim(self.TEXT + call("ListClusters"))
        self.assertEqual(len(objs), 3)

    def test_blank_and_comment_lines_skipped(self):
        """Blank lines, whitespace-only lines and '#' lines give no output."""
        text = ("# a comment\n"
                "\n"
                + call("CreateCluster", {"clusterName": "c1"}) + "\n"
                "   \n"
                "\t\n"
                "#{\"action\": \"DeleteCluster\", \"request\": {\"cluster\": \"c1\"}}\n"
                "# another comment with JSON-looking text {\"action\": \"X\"}\n"
                "\r\n"
                + call("DescribeClusters", {"clusters": ["c1"]}) + "\n"
                "\n\n")
        objs = self.sim(text)
        self.assertEqual(len(objs), 2, objs)
        self.assertSuccess(objs[0], "CreateCluster")
        self.assertSuccess(objs[1], "DescribeClusters")
        # the commented-out DeleteCluster did not run
        self.assertEqual(objs[1]["response"]["clusters"][0]["status"], "ACTIVE")

    def test_empty_input(self):
        """Empty input (or only comments): no output, exit 0."""
        self.assertEqual(self.sim(""), [])
        self.assertEqual(self.sim("# nothing\n\n"), [])


# --------------------------------------------------------------------------
# Output


class Output(SimTestCase):
    def test_one_line_per_call_in_order(self):
        """One valid JSON line per call, in input order, with the documented keys."""
        actions = ["CreateCluster", "ListClusters", "DeleteCluster", "CreateCluster",
                   "DescribeClusters", "NotAnAction", "ListClusters", "DeleteCluster"]
        lines = [call("CreateCluster", {"clusterName": "a"}),
                 call("ListClusters"),
                 call("DeleteCluster", {"cluster": "missing"}),
                 call("CreateCluster", {"clusterName": "b"}),
                 call("DescribeClusters", {"clusters": ["a", "b"]}),
                 call("NotAnAction", {}),
                 call("ListClusters", {}),
                 call("DeleteCluster", {"cluster": "a"})]
        objs = self.sim(script(*lines))  # parse_output checks every line's shape
        self.assertEqual([o.get("action") for o in objs], actions)
        self.assertEqual(["response" in o for o in objs],
                         [True, True, False, True, True, False, True, True])
        names = [c["clusterName"] for c in objs[4]["response"]["clusters"]]
        self.assertEqual(names, ["a", "b"])

    def test_success_describe_clusters(self):
        """A successful call: {"action", "response"} with ECS's response shape."""
        objs = self.sim(script(call("CreateCluster", {"clusterName": "demo"}),
                               call("DescribeClusters", {"clusters": ["demo"]})))
        self.assertSuccess(objs[1], "DescribeClusters")
        resp = objs[1]["response"]
        self.assertEqual(len(resp["clusters"]), 1)
        c = resp["clusters"][0]
        self.assertEqual(c["clusterName"], "demo")
        self.assertEqual(c["status"], "ACTIVE")
        self.assertEqual(c["clusterArn"], objs[0]["response"]["cluster"]["clusterArn"])
        self.assertEqual(resp.get("failures", []), [])

    def test_error_cluster_not_found(self):
        """An ECS error: {"action", "error": {"code", "message"}}."""
        objs = self.sim(script(call("DeleteCluster", {"cluster": "nowhere"})))
        self.assertEqual(len(objs), 1)
        self.assertError(objs[0], "DeleteCluster", "ClusterNotFoundException")

    def test_error_taskdef_bad_field_names_path(self):
        """RegisterTaskDefinition with a bad field: the message names the field's path."""
        def td_with(**container):
            td = json.loads(json.dumps(WEB_TASKDEF))
            td["containerDefinitions"].append(dict({"name": "side", "image": "busybox",
                                                    "memory": 128}, **container))
            return td
        cases = [
            # wrong JSON type
            (td_with(memory="lots"), "containerDefinitions[1].memory"),
            # value out of its enum
            (td_with(portMappings=[{"containerPort": 80, "protocol": "sctp"}]),
             "containerDefinitions[1].portMappings[0].protocol"),
            # unknown member
            (td_with(bogusField=1), "containerDefinitions[1]"),
        ]
        top = json.loads(json.dumps(WEB_TASKDEF))
        top["networkMode"] = "mesh"
        cases.append((top, "networkMode"))
        lines = [call("RegisterTaskDefinition", req) for req, _ in cases]
        lines.append(call("ListTaskDefinitions"))
        objs = self.sim(script(*lines))
        self.assertEqual(len(objs), len(cases) + 1)
        for (req, path), obj in zip(cases, objs):
            with self.subTest(path=path):
                self.assertError(obj, "RegisterTaskDefinition")
                self.assertIn(obj["error"]["code"],
                              ("ClientException", "InvalidParameterException",
                               "SerializationException"))
                self.assertIn(path, obj["error"]["message"])
        self.assertIn("bogusField", objs[2]["error"]["message"])
        # nothing was registered by the failed calls
        self.assertSuccess(objs[-1], "ListTaskDefinitions")
        self.assertEqual(objs[-1]["response"]["taskDefinitionArns"], [])

    def test_not_calls_give_serialization_exception(self):
        """Non-JSON, non-object and action-less lines: SerializationException lines;
        reading goes on, exit 0."""
        bad_lines = [
            "this is not JSON",
            '{"action": "CreateCluster", "request": {}',   # truncated
            "{'action': 'CreateCluster'}",                 # single quotes
            '{"request": {"clusterName": "x"}}',           # no "action"
            "{}",
            "[1, 2, 3]",                                    # not an object
            '"CreateCluster"',
            "42",
            "null",
            '{"action": "ListClusters"} trailing',
        ]
        lines = []
        for bad in bad_lines:
            lines.append(bad)
            lines.append(call("ListClusters"))
        lines.append(call("CreateCluster", {"clusterName": "after"}))
        objs = self.sim(script(*lines))
        self.assertEqual(len(objs), 2 * len(bad_lines) + 1)
        for i, bad in enumerate(bad_lines):
            with self.subTest(line=bad):
                self.assertSerializationError(objs[2 * i])
                self.assertSuccess(objs[2 * i + 1], "ListClusters")
        self.assertSuccess(objs[-1], "CreateCluster")

    def test_action_not_a_string(self):
        """An "action" that is not a string is no action: SerializationException."""
        objs = self.sim(script('{"action": 5, "request": {}}', call("ListClusters")))
        self.assertEqual(len(objs), 2)
        self.assertIn("error", objs[0])
        self.assertEqual(objs[0]["error"]["code"], "SerializationException")
        self.assertSuccess(objs[1], "ListClusters")

    def test_request_omitted_is_empty_request(self):
        """No "request": an empty request (CreateCluster creates "default")."""
        objs = self.sim(script(call("CreateCluster"),
                               call("DescribeClusters", {"clusters": ["default"]}),
                               call("ListClusters")))
        self.assertSuccess(objs[0], "CreateCluster")
        self.assertEqual(objs[0]["response"]["cluster"]["clusterName"], "default")
        self.assertEqual(objs[1]["response"]["clusters"][0]["clusterName"], "default")
        self.assertEqual(objs[1]["response"].get("failures", []), [])
        self.assertEqual(len(objs[2]["response"]["clusterArns"]), 1)
        # the same as an explicit {}
        self.assertEqual(self.sim(script(call("CreateCluster"))),
                         self.sim(script(call("CreateCluster", {}))))

    def test_exit_zero_after_errors(self):
        """Exit status 0 when the input was read to its end, even if every call failed."""
        text = script("garbage", call("DeleteCluster", {"cluster": "x"}),
                      call("NoSuchAction"), '{"no": "action"}')
        rc, out, err = run_sim([], text)
        self.assertEqual(rc, 0, err)
        objs = self.parse_output(out)
        self.assertEqual(len(objs), 4)
        self.assertTrue(all("error" in o for o in objs))


# --------------------------------------------------------------------------
# Pipe: one call at a time


class Pipe(SimTestCase):
    def test_answers_flushed_one_at_a_time(self):
        """Each answer is written and flushed as soon as its line is read."""
        proc = subprocess.Popen([ECS_SIM], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        lines = queue.Queue()

        def reader():
            for raw in iter(proc.stdout.readline, b""):
                lines.put(raw)
            lines.put(None)

        t = threading.Thread(target=reader, daemon=True)
        t.start()

        def ask(text):
            proc.stdin.write(text.encode("utf-8"))
            proc.stdin.flush()
            try:
                raw = lines.get(timeout=PIPE_TIMEOUT)
            except queue.Empty:
                self.fail("no answer within %ds to %r (output not flushed?)" % (PIPE_TIMEOUT, text))
            self.assertIsNotNone(raw, "ecs-sim closed its output after %r" % text)
            return self.parse_output(raw)[0]

        try:
            o = ask(call("CreateCluster", {"clusterName": "p"}) + "\n")
            self.assertSuccess(o, "CreateCluster")
            # a comment and a blank line give nothing; the call after them one line
            o = ask("# comment\n\n" + register_instance("p", "i-0000000000000aaa1") + "\n")
            self.assertSuccess(o, "RegisterContainerInstance")
            arn = o["response"]["containerInstance"]["containerInstanceArn"]
            o = ask(call("DeleteCluster", {"cluster": "nope"}) + "\n")
            self.assertError(o, "DeleteCluster", "ClusterNotFoundException")
            o = ask("not json\n")
            self.assertSerializationError(o)
            o = ask(call("AdvanceTime", {"seconds": 5}) + "\n")
            self.assertEqual(o["response"]["now"], START + 5)
            o = ask(call("ListContainerInstances", {"cluster": "p"}) + "\n")
            self.assertEqual(o["response"]["containerInstanceArns"], [arn])
            proc.stdin.close()
            self.assertIsNone(lines.get(timeout=PIPE_TIMEOUT), "extra output after the last call")
            self.assertEqual(proc.wait(timeout=PIPE_TIMEOUT), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for f in (proc.stdin, proc.stdout, proc.stderr):
                if not f.closed:
                    f.close()
            t.join(timeout=PIPE_TIMEOUT)


# --------------------------------------------------------------------------
# Clock


class Clock(SimTestCase):
    def test_clock_starts_at_2026(self):
        """Before any AdvanceTime, registeredAt is 1767225600."""
        objs = self.sim(script(call("CreateCluster", {"clusterName": "t"}),
                               register_instance("t", "i-0000000000000bbb1"),
                               call("RegisterTaskDefinition", WEB_TASKDEF)))
        ci = objs[1]["response"]["containerInstance"]
        self.assertNumber(ci["registeredAt"])
        self.assertEqual(ci["registeredAt"], START)
        self.assertEqual(objs[2]["response"]["taskDefinition"]["registeredAt"], START)

    def test_advance_time(self):
        """AdvanceTime moves "now" by N seconds; later timestamps equal the new now."""
        objs = self.sim(script(call("CreateCluster", {"clusterName": "t"}),
                               call("AdvanceTime", {"seconds": 0}),
                               call("AdvanceTime", {"seconds": 90}),
                               call("AdvanceTime", {"seconds": 30}),
                               register_instance("t", "i-0000000000000bbb1"),
                               call("RegisterTaskDefinition", WEB_TASKDEF),
                               call("AdvanceTime", {"seconds": 3600}),
                               call("DescribeTaskDefinition", {"taskDefinition": "web:1"})))
        nows = []
        for o in objs[1:4] + [objs[6]]:
            self.assertSuccess(o, "AdvanceTime")
            r = o["response"]
            self.assertNumber(r["now"])
            self.assertIsInstance(r["events"], list)
            nows.append(r["now"])
        self.assertEqual(nows, [START, START + 90, START + 120, START + 3720])
        ci = objs[4]["response"]["containerInstance"]
        self.assertEqual(ci["registeredAt"], START + 120)
        self.assertEqual(objs[5]["response"]["taskDefinition"]["registeredAt"], START + 120)
        # describing later does not change the recorded instants
        self.assertEqual(objs[7]["response"]["taskDefinition"]["registeredAt"], START + 120)

    def test_advance_time_bad_seconds(self):
        """AdvanceTime with negative, missing or non-numeric seconds is an error line;
        the clock does not move."""
        bad = [{"seconds": -1}, {"seconds": -0.5}, {}, None, {"seconds": "60"},
               {"seconds": None}, {"seconds": True}]
        lines = [call("AdvanceTime", b) for b in bad]
        lines.append(call("AdvanceTime", {"seconds": 0}))
        objs = self.sim(script(*lines))
        self.assertEqual(len(objs), len(bad) + 1)
        for b, o in zip(bad, objs):
            with self.subTest(request=b):
                self.assertError(o, "AdvanceTime")
        self.assertSuccess(objs[-1], "AdvanceTime")
        self.assertEqual(objs[-1]["response"]["now"], START)


# --------------------------------------------------------------------------
# Seeds


class Seeds(SimTestCase):
    TEXT = script(call("CreateCluster", {"clusterName": "s"}),
                  register_instance("s", "i-0000000000000ccc1"),
                  register_instance("s", "i-0000000000000ccc2", "us-east-1b"),
                  register_instance("s", "i-0000000000000ccc3", "us-east-1c"),
                  call("RegisterTaskDefinition", WEB_TASKDEF),
                  call("AdvanceTime", {"seconds": 10}),
                  call("ListContainerInstances", {"cluster": "s"}),
                  call("DeleteCluster", {"cluster": "s"}))

    def arns(self, args):
        objs = self.sim(self.TEXT, args)
        return [objs[i]["response"]["containerInstance"]["containerInstanceArn"] for i in (1, 2, 3)]

    def test_same_seed_same_bytes(self):
        """Same seed and same input: byte-identical output."""
        for args in ([], ["--seed", "0"], ["--seed", "7"], ["--seed", "18446744073709551615"]):
            with self.subTest(args=args):
                rc1, out1, _ = run_sim(args, self.TEXT)
                rc2, out2, _ = run_sim(args, self.TEXT)
                self.assertEqual((rc1, rc2), (0, 0))
                self.assertEqual(out1, out2)
                self.assertEqual(len(self.parse_output(out1)), 8)

    def test_default_seed_is_zero(self):
        """The usage text says the default seed is 0."""
        self.assertEqual(run_sim([], self.TEXT)[1], run_sim(["--seed", "0"], self.TEXT)[1])

    def test_different_seeds_different_ids(self):
        """A different seed gives different container instance ARNs."""
        a = self.arns(["--seed", "1"])
        b = self.arns(["--seed", "2"])
        c = self.arns(["--seed", "0"])
        for x in (a, b, c):
            self.assertEqual(len(set(x)), 3, x)  # ids are unique within a run
            for arn in x:
                self.assertTrue(arn.startswith("arn:aws:ecs:us-east-1:123456789012:container-instance/s/"), arn)
        self.assertTrue(set(a).isdisjoint(b), (a, b))
        self.assertTrue(set(a).isdisjoint(c), (a, c))
        self.assertTrue(set(b).isdisjoint(c), (b, c))


# --------------------------------------------------------------------------
# --lenient


class Lenient(SimTestCase):
    def describe_output(self):
        objs = self.sim(script(call("RegisterTaskDefinition", WEB_TASKDEF),
                               call("DescribeTaskDefinition", {"taskDefinition": "web"})))
        self.assertSuccess(objs[1], "DescribeTaskDefinition")
        resp = objs[1]["response"]
        self.assertIn("taskDefinition", resp)
        return resp

    def test_pasted_describe_output(self):
        """DescribeTaskDefinition output ({"taskDefinition": ...}) is refused without
        --lenient and registered as the next revision with it."""
        pasted = self.describe_output()
        text = script(call("RegisterTaskDefinition", WEB_TASKDEF),
                      call("RegisterTaskDefinition", pasted),
                      call("ListTaskDefinitions"))
        strict = self.sim(text)
        self.assertError(strict[1], "RegisterTaskDefinition")
        self.assertEqual(len(strict[2]["response"]["taskDefinitionArns"]), 1)

        lenient = self.sim(text, ["--lenient"])
        self.assertSuccess(lenient[1], "RegisterTaskDefinition")
        td = lenient[1]["response"]["taskDefinition"]
        self.assertEqual(td["family"], "web")
        self.assertEqual(td["revision"], 2)
        self.assertEqual(td["status"], "ACTIVE")
        self.assertEqual(td["containerDefinitions"], pasted["taskDefinition"]["containerDefinitions"])
        self.assertEqual(len(lenient[2]["response"]["taskDefinitionArns"]), 2)

    def test_pasted_inner_object(self):
        """The inner taskDefinition object alone (read-only members included) too."""
        inner = self.describe_output()["taskDefinition"]
        text = script(call("RegisterTaskDefinition", inner))
        self.assertError(self.sim(text)[0], "RegisterTaskDefinition")
        self.assertSuccess(self.sim(text, ["--lenient"])[0], "RegisterTaskDefinition")

    def test_lenient_changes_nothing_else(self):
        """--lenient does not change the answers to ordinary calls."""
        text = script(call("RegisterTaskDefinition", WEB_TASKDEF),
                      call("CreateCluster"), call("DeleteCluster", {"cluster": "zz"}))
        self.assertEqual(run_sim(["--lenient"], text)[1], run_sim([], text)[1])


# --------------------------------------------------------------------------
# The shipped example


class QuickstartExample(SimTestCase):
    def test_quickstart_runs_to_the_end(self):
        """examples/quickstart.jsonl: exit 0, one valid line per call, only the
        failure its comments announce."""
        path = os.path.join(ECS_SOURCE_DIR, "examples", "quickstart.jsonl")
        with open(path, encoding="utf-8") as f:
            calls = [strict_loads(l) for l in f.read().splitlines()
                     if l.strip() and not l.lstrip().startswith("#")]
        rc, out, err = run_sim([path])
        self.assertEqual(rc, 0, err)
        objs = self.parse_output(out)
        self.assertEqual(len(objs), len(calls))
        self.assertEqual([o.get("action") for o in objs], [c["action"] for c in calls])

        # "A cluster with instances cannot be deleted": the last call, the only error
        errors = [i for i, o in enumerate(objs) if "error" in o]
        self.assertEqual(errors, [len(objs) - 1], [objs[i] for i in errors])
        self.assertError(objs[-1], "DeleteCluster", "ClusterContainsContainerInstancesException")

        by_action = {}
        for o in objs:
            by_action.setdefault(o["action"], []).append(o["response"] if "response" in o else o)
        self.assertEqual(len(by_action["RegisterContainerInstance"]), 6)
        # "Unknown clusters come back as failures, not errors"
        dc = by_action["DescribeClusters"][-1]
        self.assertEqual([c["clusterName"] for c in dc["clusters"]], ["demo"])
        self.assertEqual(len(dc["failures"]), 1)
        self.assertIn("nowhere", dc["failures"][0]["arn"])
        self.assertEqual(dc["failures"][0]["reason"], "MISSING")
        # "Pagination: four at a time"
        lci = by_action["ListContainerInstances"][0]
        self.assertEqual(len(lci["containerInstanceArns"]), 4)
        self.assertIn("nextToken", lci)
        # "A minute passes"
        self.assertEqual(by_action["AdvanceTime"][0]["now"], START + 60)
        # "my-api as a Fargate service of 2 tasks behind a load balancer", and
        # a minute later "The service is steady: two tasks RUNNING, one in each zone"
        svc = by_action["CreateService"][0]["service"]
        self.assertEqual((svc["serviceName"], svc["desiredCount"], svc["launchType"]),
                         ("my-api", 2, "FARGATE"))
        self.assertEqual(svc["loadBalancers"][0]["containerPort"], 8080)
        svc = by_action["DescribeServices"][0]["services"][0]
        self.assertEqual((svc["runningCount"], svc["pendingCount"]), (2, 0))
        self.assertEqual(svc["deployments"][0]["rolloutState"], "COMPLETED")
        self.assertEqual(svc["events"][0]["message"], "(service my-api) has reached a steady state.")
        arns = by_action["ListTasks"][0]["taskArns"]
        self.assertEqual(len(arns), 2)
        rc, out, err = run_sim([], "\n".join(json.dumps(c) for c in calls) + "\n" + json.dumps(
            {"action": "DescribeTasks", "request": {"cluster": "demo", "tasks": arns}}) + "\n")
        tasks = self.parse_output(out)[-1]["response"]["tasks"]
        self.assertEqual(sorted(t["availabilityZone"] for t in tasks), ["us-east-1a", "us-east-1b"])
        self.assertEqual({t["lastStatus"] for t in tasks}, {"RUNNING"})
        self.assertEqual({t["group"] for t in tasks}, {"service:my-api"})
        # "Retire the first web revision"
        dtd = by_action["DeregisterTaskDefinition"][0]["taskDefinition"]
        self.assertEqual(dtd["status"], "INACTIVE")
        self.assertEqual(dtd["deregisteredAt"], START + 60)

    def test_quickstart_from_stdin_same_output(self):
        """The example gives the same bytes from FILE and from standard input."""
        path = os.path.join(ECS_SOURCE_DIR, "examples", "quickstart.jsonl")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(run_sim([path])[1], run_sim([], text)[1])
        self.assertEqual(run_sim([path])[1], run_sim(["-"], text)[1])


class ServicesExample(SimTestCase):
    """examples/services.jsonl in both agent modes."""

    def run_example(self, *args):
        path = os.path.join(ECS_SOURCE_DIR, "examples", "services.jsonl")
        rc, out, err = run_sim(list(args) + [path])
        self.assertEqual(rc, 0, err)
        objs = self.parse_output(out)
        self.assertEqual([o for o in objs if "error" in o], [])
        return objs

    def services_at(self, objs):
        """The DescribeServices answers, as {name: service} in order."""
        return [{s["serviceName"]: s for s in o["response"]["services"]}
                for o in objs if o["action"] == "DescribeServices"]

    def test_auto_agents(self):
        objs = self.run_example()
        seen = self.services_at(objs)
        # a minute after creation: 4 web tasks, one log shipper per instance
        self.assertEqual(seen[0]["web"]["runningCount"], 4)
        self.assertEqual(seen[0]["logs"]["runningCount"], 4)
        # scaled out to 6
        self.assertEqual(seen[1]["web"]["runningCount"], 6)
        # drained: web still at 6 elsewhere, 3 log shippers left
        self.assertEqual(seen[2]["web"]["runningCount"], 6)
        self.assertEqual(seen[2]["logs"]["desiredCount"], 3)
        self.assertEqual(seen[2]["logs"]["runningCount"], 3)
        msgs = [e["message"] for e in reversed(seen[2]["web"]["events"])]
        drain = [m for m in msgs if "has stopped 1 running task" in m]
        self.assertEqual(len(drain), 1, msgs)
        # scaled in to 2
        self.assertEqual(seen[3]["web"]["runningCount"], 2)
        self.assertEqual(seen[3]["web"]["events"][0]["message"],
                         "(service web) has reached a steady state.")
        self.assertTrue(any("has stopped 4 running tasks" in e["message"]
                            for e in seen[3]["web"]["events"]))

    def test_manual_agents(self):
        """Without agents the tasks wait in PROVISIONING and the steps hand out
        START orders, once each."""
        objs = self.run_example("--agent", "manual")
        seen = self.services_at(objs)
        self.assertEqual(seen[0]["web"]["runningCount"], 0)
        self.assertEqual(seen[0]["logs"]["desiredCount"], 4)
        steps = [o["response"] for o in objs if o["action"] == "AdvanceTime"]
        first = steps[0]["orders"]
        self.assertEqual({o["order"] for o in first}, {"START"})
        self.assertEqual(len(first), 8)  # 4 log shippers, 4 web tasks
        arns = [o["taskArn"] for s in steps for o in s["orders"] if o["order"] == "START"]
        self.assertEqual(len(arns), len(set(arns)))
        self.assertTrue(all("containerInstanceArn" in o for o in first))


class LongAndShortSteps(SimTestCase):
    """One long AdvanceTime gives what as many one-second ones give: every
    answer but AdvanceTime's is the same, in both agent modes."""

    def test_examples(self):
        for name in ("services", "deployments", "capacity"):
            path = os.path.join(ECS_SOURCE_DIR, "examples", name + ".jsonl")
            with open(path, encoding="utf-8") as f:
                lines = [l for l in f.read().splitlines() if l.strip() and not l.lstrip().startswith("#")]
            short = []
            for l in lines:
                c = json.loads(l)
                if c["action"] == "AdvanceTime":
                    short += [json.dumps({"action": "AdvanceTime", "request": {"seconds": 1}})] * int(
                        c["request"]["seconds"])
                else:
                    short.append(l)
            for mode in ("auto", "manual"):
                rc1, out1, err1 = run_sim(["--agent", mode], "\n".join(lines) + "\n")
                rc2, out2, err2 = run_sim(["--agent", mode], "\n".join(short) + "\n")
                self.assertEqual((rc1, rc2), (0, 0), err1 + err2)
                a = [o for o in self.parse_output(out1) if o.get("action") != "AdvanceTime"]
                b = [o for o in self.parse_output(out2) if o.get("action") != "AdvanceTime"]
                self.assertEqual(len(a), len(b))
                for x, y in zip(a, b):
                    self.assertEqual(x, y, "%s (%s): %s differs" % (name, mode, x.get("action")))


if __name__ == "__main__":
    unittest.main()
