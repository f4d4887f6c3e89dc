"""Tests of ecs-sim's views for people: --pretty, --timeline, --cluster-map and
the progress line (tools/ecs-sim/record.c, pretty.c, svg.c, progress.c).

Run by CTest as the test `sim_views`:
    ECS_SIM=/path/to/ecs-sim ECS_SOURCE_DIR=/path/to/repo python3 -m unittest -v test_ecs_sim_views

The golden file of the human view is tests/sim/golden/pretty_small.txt, made
from tests/sim/data/pretty_small.jsonl; after a deliberate change of the
layout, write it anew with ECS_SIM_UPDATE_GOLDEN=1 and review the diff.

Only the Python standard library is used; Python 3.9+.
"""
import json
import math
import os
import pty
import re
import select
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

START = 1767225600  # 2026-01-01T00:00:00Z
TIMEOUT = 120
SVG = "{http://www.w3.org/2000/svg}"

ECS_SIM = os.environ.get("ECS_SIM")
ECS_SOURCE_DIR = os.environ.get("ECS_SOURCE_DIR")
HERE = os.path.dirname(os.path.abspath(__file__))


def setUpModule():
    if not ECS_SIM or not os.access(ECS_SIM, os.X_OK):
        raise RuntimeError("set ECS_SIM to the ecs-sim binary (got %r)" % (ECS_SIM,))
    if not ECS_SOURCE_DIR or not os.path.isdir(ECS_SOURCE_DIR):
        raise RuntimeError("set ECS_SOURCE_DIR to the repository root (got %r)" % (ECS_SOURCE_DIR,))


def example(name):
    return os.path.join(ECS_SOURCE_DIR, "examples", name)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    env.update(extra)
    return env


def run(args, stdin_text=None, env=None):
    p = subprocess.run([ECS_SIM] + list(args), input=None if stdin_text is None else stdin_text.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                       env=env if env is not None else clean_env())
    return p.returncode, p.stdout, p.stderr


def run_pty(args, env, tty_stdout=True, tty_stderr=False):
    """Run ecs-sim with standard output and/or standard error on a pseudo-
    terminal; return (returncode, bytes read from the terminal, bytes of the
    other stream)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([ECS_SIM] + list(args), stdin=subprocess.DEVNULL,
                         stdout=slave if tty_stdout else subprocess.PIPE,
                         stderr=slave if tty_stderr else subprocess.PIPE, env=env)
    os.close(slave)
    got = bytearray()
    while True:
        r, _, _ = select.select([master], [], [], TIMEOUT)
        if not r:
            p.kill()
            raise AssertionError("ecs-sim did not finish")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    other = (p.stderr if tty_stdout else p.stdout).read()
    (p.stderr if tty_stdout else p.stdout).close()
    return p.wait(timeout=TIMEOUT), bytes(got), other


def json_lines(out):
    return [json.loads(line) for line in out.decode().splitlines()]


def mask_wall_time(text):
    return re.sub(r"(wall time\s+)[0-9.]+ s", r"\1X s", text)


def svg_groups(root, cls):
    return [g for g in root.iter(SVG + "g") if g.get("class") == cls]


class PrettyTest(unittest.TestCase):
    maxDiff = None

    def test_golden(self):
        """--pretty --color=never on a small scenario: the golden file."""
        rc, out, err = run(["--pretty", "--color=never", os.path.join(HERE, "data", "pretty_small.jsonl")])
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, b"")
        text = mask_wall_time(out.decode("utf-8"))
        golden = os.path.join(HERE, "golden", "pretty_small.txt")
        if os.environ.get("ECS_SIM_UPDATE_GOLDEN") == "1":
            with open(golden, "w", encoding="utf-8") as f:
                f.write(text)
        with open(golden, encoding="utf-8") as f:
            self.assertEqual(text, f.read())

    def test_content(self):
        """The human view tells of calls, placements, state changes, deployment
        counts with their bounds, the breaker, the rollback, errors; and sums up."""
        rc, out, _ = run(["--pretty", "--color=never", os.path.join(HERE, "data", "pretty_small.jsonl")])
        text = out.decode()
        self.assertEqual(rc, 0)
        for kind in ("call", "advance", "instance", "place", "task", "deploy", "breaker", "rollback",
                     "completed", "failure", "error"):
            self.assertRegex(text, r"(?m)^\d\d:\d\d:\d\d  %s " % kind, kind)
        self.assertIn("[lower 1, upper 4]", text)  # D 2, 50% / 200%
        self.assertRegex(text, r"→ i-0a0000000000000a1 \(us-east-1a\)")
        self.assertIn("PENDING → STOPPED  TaskFailedToStart: CannotPullContainerError", text)
        summary = text[text.index("\nsummary\n"):]
        self.assertIn("simulated time   00:02:40 (160 s)", summary)
        self.assertIn("calls            16, 1 error", summary)
        self.assertRegex(summary, r"placements +8  spread")
        self.assertRegex(summary, r"\n +1  binpack\(memory\)")
        self.assertRegex(summary, r"failures +4  TaskFailedToStart")
        self.assertIn("1  RESOURCE:MEMORY", summary)
        self.assertIn("1  ClusterContainsContainerInstancesException", summary)
        # lines come in time order
        times = re.findall(r"(?m)^(\d\d):(\d\d):(\d\d)  ", text)
        secs = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in times]
        self.assertEqual(secs, sorted(secs))

    def test_no_json_on_stdout(self):
        rc, out, _ = run(["--pretty", example("quickstart.jsonl")])
        self.assertEqual(rc, 0)
        self.assertNotIn(b'{"action"', out)
        self.assertIn(b"\nsummary\n", out)
        self.assertIn("→ Fargate (us-east-1a)".encode(), out)


class ColorTest(unittest.TestCase):
    SCENARIO = os.path.join(HERE, "data", "pretty_small.jsonl")

    def test_pipe_never_coloured(self):
        rc, out, _ = run(["--pretty", self.SCENARIO])
        self.assertEqual(rc, 0)
        self.assertNotIn(b"\x1b", out)

    def test_always_and_never(self):
        _, out, _ = run(["--pretty", "--color=always", self.SCENARIO])
        self.assertIn(b"\x1b[", out)
        self.assertIn(b"\x1b[0m", out)
        _, out2, _ = run(["--pretty", "--color", "always", self.SCENARIO], env=clean_env(NO_COLOR="1"))
        self.assertIn(b"\x1b[", out2, "an explicit --color=always wins over NO_COLOR")
        self.assertEqual(re.sub(rb"\x1b\[[0-9;]*m", b"", mask_wall_time(out.decode()).encode()),
                         mask_wall_time(run(["--pretty", "--color=never", self.SCENARIO])[1].decode()).encode())

    def test_bad_color(self):
        rc, _, err = run(["--pretty", "--color=sometimes", self.SCENARIO])
        self.assertEqual(rc, 2)
        self.assertIn(b"--color", err)

    def test_terminal(self):
        """auto: coloured on a terminal, unless NO_COLOR is set and not empty."""
        rc, got, _ = run_pty(["--pretty", self.SCENARIO], clean_env())
        self.assertEqual(rc, 0)
        self.assertIn(b"\x1b[", got)
        rc, got, _ = run_pty(["--pretty", self.SCENARIO], clean_env(NO_COLOR="1"))
        self.assertEqual(rc, 0)
        self.assertNotIn(b"\x1b", got)
        self.assertIn(b"summary", got)
        rc, got, _ = run_pty(["--pretty", self.SCENARIO], clean_env(NO_COLOR=""))
        self.assertIn(b"\x1b[", got, "an empty NO_COLOR does not count")
        rc, got, _ = run_pty(["--pretty", "--color=never", self.SCENARIO], clean_env())
        self.assertNotIn(b"\x1b", got)


def long_scenario():
    """A run that takes well over a second with the recorder on."""
    lines = [{"action": "CreateCluster", "request": {"clusterName": "big"}}]
    for i in range(10):
        lines.append({"action": "RegisterContainerInstance", "request": {
            "cluster": "big",
            "instanceIdentityDocument": json.dumps({
                "instanceId": "i-%017d" % i, "availabilityZone": "us-east-1" + "abc"[i % 3],
                "instanceType": "m5.large", "region": "us-east-1"}),
            "totalResources": [{"name": "CPU", "type": "INTEGER", "integerValue": 4096},
                               {"name": "MEMORY", "type": "INTEGER", "integerValue": 16384}]}})
    lines.append({"action": "RegisterTaskDefinition", "request": {"family": "w", "containerDefinitions": [{
        "name": "w", "image": "w", "cpu": 128, "memory": 128,
        "dockerLabels": {"libecs.sim.exit-after-seconds": "20"}}]}})
    lines.append({"action": "CreateService", "request": {
        "cluster": "big", "serviceName": "w", "taskDefinition": "w", "desiredCount": 40}})
    lines.append({"action": "AdvanceTime", "request": {"seconds": 1500}})
    return "".join(json.dumps(x) + "\n" for x in lines)


class ProgressTest(unittest.TestCase):
    def test_absent_when_stderr_is_not_a_terminal(self):
        rc, out, err = run(["--pretty", "-"], stdin_text=long_scenario())
        self.assertEqual(rc, 0)
        self.assertEqual(err, b"")
        self.assertNotIn(b"\r", out)

    def test_shown_on_a_terminal_and_erased(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write(long_scenario())
        try:
            env = clean_env()
            env["ECS_SIM_PROGRESS_AFTER"] = "0"  # a fast machine finishes in under a second
            rc, tty, out = run_pty(["--timeline", os.devnull, f.name], env,
                                   tty_stdout=False, tty_stderr=True)
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 0)
        self.assertIn(b"ecs-sim: ", tty)
        self.assertRegex(tty, rb"\r\x1b\[Kecs-sim: \d+ calls?, simulated \d\d:\d\d:\d\d")
        self.assertTrue(tty.endswith(b"\r\x1b[K"), tty[-40:])
        self.assertTrue(out.startswith(b'{"action"'), "JSON stays on standard output")


class JsonContractTest(unittest.TestCase):
    def test_views_leave_json_unchanged(self):
        """With --timeline and --cluster-map (and no --pretty) standard output is
        byte for byte what it is without them, with either agent."""
        with tempfile.TemporaryDirectory() as d:
            for name in ("quickstart.jsonl", "services.jsonl", "deployments.jsonl", "placement.jsonl",
                         "capacity.jsonl"):
                for agent in ("auto", "manual"):
                    rc1, plain, _ = run(["--agent", agent, example(name)])
                    rc2, viewed, err = run(["--agent", agent, "--timeline", os.path.join(d, "t.svg"),
                                            "--cluster-map", os.path.join(d, "m.svg"), example(name)])
                    self.assertEqual((rc1, rc2), (0, 0), err)
                    self.assertEqual(plain, viewed, "%s --agent %s" % (name, agent))

    def test_not_with_serve(self):
        rc, _, err = run(["--serve", "0", "--pretty"])
        self.assertEqual(rc, 2)
        self.assertIn(b"--serve", err)


class TimelineTest(unittest.TestCase):
    def test_deployments(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "timeline.svg")
            rc, out, err = run(["--timeline", path, example("deployments.jsonl")])
            self.assertEqual(rc, 0, err)
            root = ET.parse(path).getroot()  # well-formed XML
        self.assertEqual(root.tag, SVG + "svg")
        final = json_lines(out)[-1]["response"]["services"][0]
        panels = svg_groups(root, "panel")
        self.assertEqual([p.get("data-service") for p in panels], ["checkout"])
        panel = panels[0]
        self.assertEqual(panel.get("data-end"), "960")
        points = svg_groups(panel, "point")
        times = [float(p.get("data-time")) for p in points]
        self.assertEqual(times, sorted(times))
        self.assertEqual(len(set(times)), len(times))
        d = final["desiredCount"]
        cfg = final["deploymentConfiguration"]
        for p in points:
            self.assertEqual(int(p.get("data-desired")), d)
            self.assertEqual(int(p.get("data-lower")), math.ceil(d * cfg["minimumHealthyPercent"] / 100))
            self.assertEqual(int(p.get("data-upper")), d * cfg["maximumPercent"] // 100)
        # the last point is the state DescribeServices reports at the end
        last = {c.get("data-deployment"): (int(c.get("data-running")), int(c.get("data-pending")))
                for c in svg_groups(points[-1], "count")}
        self.assertEqual(last, {dep["id"]: (dep["runningCount"], dep["pendingCount"])
                                for dep in final["deployments"]})
        # every deployment the run made appears
        made = {json.loads(line)["response"]["services"][0]["deployments"][0]["id"]
                for line in out.decode().splitlines() if '"DescribeServices"' in line}
        seen = {c.get("data-deployment") for p in points for c in svg_groups(p, "count")}
        self.assertTrue(made <= seen, (made, seen))
        self.assertEqual(len(seen), 4)  # v1, v2, v3, and v2 again (the rollback)
        # the markers are the events' times
        events = final["events"]

        def at(text):
            return sorted(int(e["createdAt"] - START) for e in events if text in e["message"])
        marks = {}
        for m in svg_groups(panel, "marker"):
            marks.setdefault(m.get("data-kind"), []).append(int(float(m.get("data-time"))))
        self.assertEqual(marks.get("breaker"), at("deployment failed"))
        self.assertEqual(marks.get("rollback"), at("rolling back"))
        self.assertEqual(marks.get("completed"), at("deployment completed."))
        self.assertEqual(marks["breaker"], [365])

    def test_no_services(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.svg")
            rc, _, _ = run(["--timeline", path, "-"], stdin_text='{"action":"CreateCluster"}\n')
            self.assertEqual(rc, 0)
            root = ET.parse(path).getroot()
        self.assertEqual(svg_groups(root, "panel"), [])

    def test_unwritable(self):
        rc, out, err = run(["--timeline", "/nonexistent-dir/t.svg", example("quickstart.jsonl")])
        self.assertEqual(rc, 1)
        self.assertIn(b"cannot write /nonexistent-dir/t.svg", err)
        self.assertTrue(out.startswith(b'{"action"'))


class ClusterMapTest(unittest.TestCase):
    def check_map(self, name, cluster):
        """The map's numbers against DescribeContainerInstances of the same run."""
        extra = json.dumps({"action": "ListContainerInstances", "request": {"cluster": cluster}}) + "\n"
        with open(example(name)) as f:
            text = f.read() + extra
        rc, out, _ = run(["-"], stdin_text=text)
        arns = json_lines(out)[-1]["response"]["containerInstanceArns"]
        text += json.dumps({"action": "DescribeContainerInstances",
                            "request": {"cluster": cluster, "containerInstances": arns}}) + "\n"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "map.svg")
            rc, out, err = run(["--cluster-map", path, "-"], stdin_text=text)
            self.assertEqual(rc, 0, err)
            root = ET.parse(path).getroot()
        described = json_lines(out)[-1]["response"]["containerInstances"]
        self.assertEqual(root.tag, SVG + "svg")
        drawn = {g.get("data-arn"): g for g in svg_groups(root, "instance")}
        self.assertEqual(set(drawn), {ci["containerInstanceArn"] for ci in described})
        for ci in described:
            g = drawn[ci["containerInstanceArn"]]
            reg = {r["name"]: r.get("integerValue") for r in ci["registeredResources"]}
            rem = {r["name"]: r.get("integerValue") for r in ci["remainingResources"]}
            zone = [a["value"] for a in ci["attributes"] if a["name"] == "ecs.availability-zone"][0]
            self.assertEqual(g.get("data-ec2-instance-id"), ci["ec2InstanceId"])
            self.assertEqual(g.get("data-zone"), zone)
            self.assertEqual(g.get("data-status"), ci["status"])
            self.assertEqual(int(g.get("data-cpu-registered")), reg["CPU"])
            self.assertEqual(int(g.get("data-cpu-used")), reg["CPU"] - rem["CPU"])
            self.assertEqual(int(g.get("data-memory-registered")), reg["MEMORY"])
            self.assertEqual(int(g.get("data-memory-used")), reg["MEMORY"] - rem["MEMORY"])
            # the tasks drawn account for what is reserved
            self.assertEqual(int(g.get("data-cpu-tasks")), int(g.get("data-cpu-used")))
            self.assertEqual(int(g.get("data-memory-tasks")), int(g.get("data-memory-used")))
            self.assertEqual(int(g.get("data-tasks")), ci["runningTasksCount"] + ci["pendingTasksCount"])
            # the instance sits in its zone's group
        for z in svg_groups(root, "zone"):
            for g in svg_groups(z, "instance"):
                self.assertEqual(g.get("data-zone"), z.get("data-zone"))
        return root

    def test_services(self):
        self.check_map("services.jsonl", "shop")

    def test_deployments(self):
        self.check_map("deployments.jsonl", "checkout")

    def test_quickstart_fargate(self):
        root = self.check_map("quickstart.jsonl", "demo")
        fargate = {g.get("data-zone"): int(g.get("data-tasks")) for g in svg_groups(root, "fargate")}
        self.assertEqual(fargate, {"us-east-1a": 1, "us-east-1b": 1})


if __name__ == "__main__":
    unittest.main()
