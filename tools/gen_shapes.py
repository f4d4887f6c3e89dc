#!/usr/bin/env python3
"""Generate lib/api/shapes_gen.c: the input shapes of every ECS action as
static const tables, for lib/api/shape_check.c.

Reads the public ECS API model in the SDK "min" format (operations, shapes,
member types, required lists; `{}` is a plain string, `{"shape": "Sxx"}`
refers to the shared "shapes" table) and the enum value lists derived from
the v3 SDK. The min model carries no enum information, so ENUM_MEMBERS below
says which members take which enum; OVERLAY adds the few members the model
predates. Shapes are hash-consed: two shapes with the same structure (and the
same enum) become one node, so shared shapes appear once.

The table types are defined once, in lib/api/shape_table.h, which the output
and lib/api/shape_check.c both include, so the two files always agree.

Output is deterministic: same inputs, same bytes. Nothing from the model's
documentation is copied (the min format has none); names and types are facts
of the API.

Run from anywhere:
    python3 tools/gen_shapes.py [MODEL.api.json] [--enums ENUMS.json]
                                [--output lib/api/shapes_gen.c] [--check]
--check compares instead of writing and exits 1 when the file is stale.
"""

import argparse
import hashlib
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL = os.path.join(REPO, "..", "shared", "reference", "ecs-2014-11-13.api.json")
DEFAULT_ENUMS_NAME = "ecs-enums.derived.json"
DEFAULT_OUTPUT = os.path.join(REPO, "lib", "api", "shapes_gen.c")
TABLE_HEADER = os.path.join(REPO, "lib", "api", "shape_table.h")

# Members newer than the model (aws-sdk 2.1693.0), added because real inputs
# use them. (operation, structure path from the operation's input, member,
# JSON type, enum or None, page that documents the member and its type).
# Structure paths: member names joined by ".", "[]" after a list member.
OVERLAY = [
    ("RegisterTaskDefinition", "", "enableFaultInjection", "boolean", None,
     "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"),
    # DeploymentCircuitBreaker's newer members (a structure member lists its
    # own scalar members; the shape is shared by CreateService and UpdateService)
    ("CreateService", "deploymentConfiguration.deploymentCircuitBreaker", "resetOnHealthyTask", "boolean",
     None, "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html"),
    ("CreateService", "deploymentConfiguration.deploymentCircuitBreaker", "thresholdConfiguration",
     "structure", None,
     "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html",
     {"type": "string", "value": "integer"}),
]

# Which string members (or lists of strings) take an enum of
# ecs-enums.derived.json: (structure as the API reference names it,
# operation, structure path from that operation's input, member, enum).
# A path that reaches a shared shape annotates every use of that shape, so
# one line covers e.g. PlacementConstraint in CreateService, RunTask and
# UpdateService. Only members whose enum is certain are listed: a member
# left out is merely not checked, a wrong line would refuse valid requests.
ENUM_MEMBERS = [
    # capacity providers
    ("ManagedScaling", "CreateCapacityProvider", "autoScalingGroupProvider.managedScaling", "status", "ManagedScalingStatus"),
    ("AutoScalingGroupProvider", "CreateCapacityProvider", "autoScalingGroupProvider", "managedTerminationProtection", "ManagedTerminationProtection"),
    ("AutoScalingGroupProvider", "CreateCapacityProvider", "autoScalingGroupProvider", "managedDraining", "ManagedDraining"),
    ("AutoScalingGroupProviderUpdate", "UpdateCapacityProvider", "autoScalingGroupProvider", "managedTerminationProtection", "ManagedTerminationProtection"),
    ("AutoScalingGroupProviderUpdate", "UpdateCapacityProvider", "autoScalingGroupProvider", "managedDraining", "ManagedDraining"),
    ("DescribeCapacityProvidersRequest", "DescribeCapacityProviders", "", "include", "CapacityProviderField"),
    # clusters
    ("ClusterSetting", "CreateCluster", "settings[]", "name", "ClusterSettingName"),
    ("ExecuteCommandConfiguration", "CreateCluster", "configuration.executeCommandConfiguration", "logging", "ExecuteCommandLogging"),
    ("DescribeClustersRequest", "DescribeClusters", "", "include", "ClusterField"),
    # account settings
    ("DeleteAccountSettingRequest", "DeleteAccountSetting", "", "name", "SettingName"),
    ("ListAccountSettingsRequest", "ListAccountSettings", "", "name", "SettingName"),
    ("PutAccountSettingRequest", "PutAccountSetting", "", "name", "SettingName"),
    ("PutAccountSettingDefaultRequest", "PutAccountSettingDefault", "", "name", "SettingName"),
    # attributes
    ("Attribute", "PutAttributes", "attributes[]", "targetType", "TargetType"),
    ("ListAttributesRequest", "ListAttributes", "", "targetType", "TargetType"),
    # container instances
    ("DescribeContainerInstancesRequest", "DescribeContainerInstances", "", "include", "ContainerInstanceField"),
    ("ListContainerInstancesRequest", "ListContainerInstances", "", "status", "ContainerInstanceStatus"),
    ("UpdateContainerInstancesStateRequest", "UpdateContainerInstancesState", "", "status", "ContainerInstanceStatus"),
    ("PlatformDevice", "RegisterContainerInstance", "platformDevices[]", "type", "PlatformDeviceType"),
    # services and task sets
    ("CreateServiceRequest", "CreateService", "", "launchType", "LaunchType"),
    ("CreateServiceRequest", "CreateService", "", "schedulingStrategy", "SchedulingStrategy"),
    ("CreateServiceRequest", "CreateService", "", "propagateTags", "PropagateTags"),
    ("UpdateServiceRequest", "UpdateService", "", "propagateTags", "PropagateTags"),
    ("PlacementConstraint", "CreateService", "placementConstraints[]", "type", "PlacementConstraintType"),
    ("PlacementStrategy", "CreateService", "placementStrategy[]", "type", "PlacementStrategyType"),
    ("AwsVpcConfiguration", "CreateService", "networkConfiguration.awsvpcConfiguration", "assignPublicIp", "AssignPublicIp"),
    ("DeploymentController", "CreateService", "deploymentController", "type", "DeploymentControllerType"),
    ("LogConfiguration", "CreateService", "serviceConnectConfiguration.logConfiguration", "logDriver", "LogDriver"),
    ("ServiceManagedEBSVolumeConfiguration", "CreateService", "volumeConfigurations[].managedEBSVolume", "filesystemType", "TaskFilesystemType"),
    ("EBSTagSpecification", "CreateService", "volumeConfigurations[].managedEBSVolume.tagSpecifications[]", "resourceType", "EBSResourceType"),
    ("EBSTagSpecification", "CreateService", "volumeConfigurations[].managedEBSVolume.tagSpecifications[]", "propagateTags", "PropagateTags"),
    ("DescribeServicesRequest", "DescribeServices", "", "include", "ServiceField"),
    ("ListServicesRequest", "ListServices", "", "launchType", "LaunchType"),
    ("ListServicesRequest", "ListServices", "", "schedulingStrategy", "SchedulingStrategy"),
    ("CreateTaskSetRequest", "CreateTaskSet", "", "launchType", "LaunchType"),
    ("Scale", "CreateTaskSet", "scale", "unit", "ScaleUnit"),
    ("DescribeTaskSetsRequest", "DescribeTaskSets", "", "include", "TaskSetField"),
    # task definitions
    ("RegisterTaskDefinitionRequest", "RegisterTaskDefinition", "", "networkMode", "NetworkMode"),
    ("RegisterTaskDefinitionRequest", "RegisterTaskDefinition", "", "requiresCompatibilities", "Compatibility"),
    ("RegisterTaskDefinitionRequest", "RegisterTaskDefinition", "", "pidMode", "PidMode"),
    ("RegisterTaskDefinitionRequest", "RegisterTaskDefinition", "", "ipcMode", "IpcMode"),
    ("PortMapping", "RegisterTaskDefinition", "containerDefinitions[].portMappings[]", "protocol", "TransportProtocol"),
    ("PortMapping", "RegisterTaskDefinition", "containerDefinitions[].portMappings[]", "appProtocol", "ApplicationProtocol"),
    ("EnvironmentFile", "RegisterTaskDefinition", "containerDefinitions[].environmentFiles[]", "type", "EnvironmentFileType"),
    ("Device", "RegisterTaskDefinition", "containerDefinitions[].linuxParameters.devices[]", "permissions", "DeviceCgroupPermission"),
    ("ContainerDependency", "RegisterTaskDefinition", "containerDefinitions[].dependsOn[]", "condition", "ContainerCondition"),
    ("Ulimit", "RegisterTaskDefinition", "containerDefinitions[].ulimits[]", "name", "UlimitName"),
    ("LogConfiguration", "RegisterTaskDefinition", "containerDefinitions[].logConfiguration", "logDriver", "LogDriver"),
    ("ResourceRequirement", "RegisterTaskDefinition", "containerDefinitions[].resourceRequirements[]", "type", "ResourceType"),
    ("FirelensConfiguration", "RegisterTaskDefinition", "containerDefinitions[].firelensConfiguration", "type", "FirelensConfigurationType"),
    ("DockerVolumeConfiguration", "RegisterTaskDefinition", "volumes[].dockerVolumeConfiguration", "scope", "Scope"),
    ("EFSVolumeConfiguration", "RegisterTaskDefinition", "volumes[].efsVolumeConfiguration", "transitEncryption", "EFSTransitEncryption"),
    ("EFSAuthorizationConfig", "RegisterTaskDefinition", "volumes[].efsVolumeConfiguration.authorizationConfig", "iam", "EFSAuthorizationConfigIAM"),
    ("TaskDefinitionPlacementConstraint", "RegisterTaskDefinition", "placementConstraints[]", "type", "TaskDefinitionPlacementConstraintType"),
    ("ProxyConfiguration", "RegisterTaskDefinition", "proxyConfiguration", "type", "ProxyConfigurationType"),
    ("RuntimePlatform", "RegisterTaskDefinition", "runtimePlatform", "cpuArchitecture", "CPUArchitecture"),
    ("RuntimePlatform", "RegisterTaskDefinition", "runtimePlatform", "operatingSystemFamily", "OSFamily"),
    ("DescribeTaskDefinitionRequest", "DescribeTaskDefinition", "", "include", "TaskDefinitionField"),
    ("ListTaskDefinitionFamiliesRequest", "ListTaskDefinitionFamilies", "", "status", "TaskDefinitionFamilyStatus"),
    ("ListTaskDefinitionsRequest", "ListTaskDefinitions", "", "status", "TaskDefinitionStatus"),
    ("ListTaskDefinitionsRequest", "ListTaskDefinitions", "", "sort", "SortOrder"),
    # tasks
    ("RunTaskRequest", "RunTask", "", "launchType", "LaunchType"),
    ("RunTaskRequest", "RunTask", "", "propagateTags", "PropagateTags"),
    ("TaskManagedEBSVolumeConfiguration", "RunTask", "volumeConfigurations[].managedEBSVolume", "filesystemType", "TaskFilesystemType"),
    ("StartTaskRequest", "StartTask", "", "propagateTags", "PropagateTags"),
    ("DescribeTasksRequest", "DescribeTasks", "", "include", "TaskField"),
    ("ListTasksRequest", "ListTasks", "", "desiredStatus", "DesiredStatus"),
    ("ListTasksRequest", "ListTasks", "", "launchType", "LaunchType"),
    ("NetworkBinding", "SubmitContainerStateChange", "networkBindings[]", "protocol", "TransportProtocol"),
    ("ManagedAgentStateChange", "SubmitTaskStateChange", "managedAgents[]", "managedAgentName", "ManagedAgentName"),
]

KINDS = {
    "string": "ECS_SHAPE_STRING",
    "integer": "ECS_SHAPE_INTEGER",
    "long": "ECS_SHAPE_LONG",
    "double": "ECS_SHAPE_DOUBLE",
    "float": "ECS_SHAPE_DOUBLE",
    "boolean": "ECS_SHAPE_BOOLEAN",
    "timestamp": "ECS_SHAPE_TIMESTAMP",
    "list": "ECS_SHAPE_LIST",
    "map": "ECS_SHAPE_MAP",
    "structure": "ECS_SHAPE_STRUCT",
}

ROW = 2048          # bytes per row of the string table (ECS_SHAPE_ROW)
ROW_SHIFT = 11
MAX_DEPTH = 24      # ECS_SHAPE_MAX_DEPTH in lib/api/shape_table.h


class GenError(Exception):
    pass


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return json.loads(data.decode("utf-8")), hashlib.sha256(data).hexdigest()


class Model:
    def __init__(self, model, enums):
        self.shapes = model["shapes"]
        self.ops = model["operations"]
        self.enums = enums
        self.annot = {}     # (id(structure dict), member) -> enum name

    def resolve(self, spec):
        """The shape dict a member spec stands for."""
        seen = set()
        while "shape" in spec:
            name = spec["shape"]
            if name in seen or name not in self.shapes:
                raise GenError("bad shape reference %r" % name)
            seen.add(name)
            spec = self.shapes[name]
        return spec

    def kind(self, spec):
        t = self.resolve(spec).get("type", "string")
        if t not in KINDS:
            raise GenError("unsupported shape type %r" % t)
        return t

    def locate(self, op, path):
        """The structure dict reached from op's input by path."""
        if op not in self.ops:
            raise GenError("no operation %r" % op)
        cur = self.resolve(self.ops[op]["input"])
        if path:
            for comp in path.split("."):
                is_list = comp.endswith("[]")
                name = comp[:-2] if is_list else comp
                if self.kind(cur) != "structure" or name not in cur["members"]:
                    raise GenError("%s: no member %r on the path %r" % (op, name, path))
                cur = self.resolve(cur["members"][name])
                if is_list:
                    if self.kind(cur) != "list":
                        raise GenError("%s: %r is not a list" % (op, path))
                    cur = self.resolve(cur["member"])
        if self.kind(cur) != "structure":
            raise GenError("%s: %r is not a structure" % (op, path))
        return cur

    def apply_overlay(self):
        for op, path, member, typ, enum, _doc, *rest in OVERLAY:
            st = self.locate(op, path)
            if member in st["members"]:
                raise GenError("overlay %s.%s: the model already has it; drop the overlay line"
                               % (op, member))
            if typ == "structure" and rest:
                members = {}
                for name, mt in sorted(rest[0].items()):
                    if mt not in KINDS or mt in ("list", "map", "structure"):
                        raise GenError("overlay %s.%s.%s: unsupported type %r" % (op, member, name, mt))
                    members[name] = {"type": mt} if mt != "string" else {}
                st["members"][member] = {"type": "structure", "members": members}
                continue
            if typ not in KINDS or typ in ("list", "map", "structure"):
                raise GenError("overlay %s.%s: unsupported type %r" % (op, member, typ))
            st["members"][member] = {"type": typ} if typ != "string" else {}
            if enum is not None:
                self.annotate(st, member, enum, op)

    def annotate(self, st, member, enum, where):
        if enum not in self.enums:
            raise GenError("%s: unknown enum %r" % (where, enum))
        if member not in st["members"]:
            raise GenError("%s: no member %r" % (where, member))
        m = self.resolve(st["members"][member])
        t = m.get("type", "string")
        if t == "list":
            t = self.resolve(m["member"]).get("type", "string")
        if t != "string":
            raise GenError("%s.%s is not a string or list of strings" % (where, member))
        key = (id(st), member)
        if self.annot.get(key, enum) != enum:
            raise GenError("%s.%s: two enums (%s, %s)" % (where, member, self.annot[key], enum))
        self.annot[key] = enum

    def apply_enums(self):
        for _label, op, path, member, enum in ENUM_MEMBERS:
            self.annotate(self.locate(op, path), member, enum, "%s %s" % (op, path))


class Tables:
    """Hash-consed nodes, in post-order (children before parents)."""

    def __init__(self, model):
        self.m = model
        self.nodes = []         # (kind, payload)
        self.index = {}         # structural key -> node index
        self.where = {}         # node index -> first path that reached it
        self.enum_ids = {}      # enum name -> enum index
        self.enum_order = []

    def enum_id(self, name):
        if name not in self.enum_ids:
            self.enum_ids[name] = len(self.enum_order)
            self.enum_order.append(name)
        return self.enum_ids[name]

    def intern(self, key, where):
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(key)
            self.where[self.index[key]] = where
        return self.index[key]

    def build(self, spec, where, enum=None, stack=()):
        """Node index of spec; enum applies to a string or a list's strings."""
        s = self.m.resolve(spec)
        if any(s is x for x in stack):
            raise GenError("recursive shape at %s: the checker's depth bound assumes none" % where)
        t = self.m.kind(s)
        if t == "string":
            return self.intern(("string", self.enum_id(enum) + 1 if enum else 0), where)
        if t == "list":
            elem = self.build(s["member"], where + "[]", enum, stack + (s,))
            return self.intern(("list", elem), where)
        if enum is not None:
            raise GenError("enum on a %s at %s" % (t, where))
        if t == "map":
            key = self.build(s["key"], where + "{key}", None, stack + (s,))
            val = self.build(s["value"], where + "{}", None, stack + (s,))
            return self.intern(("map", key, val), where)
        if t == "structure":
            members = []
            required = s.get("required", [])
            for r in required:
                if r not in s["members"]:
                    raise GenError("%s: required %r is not a member" % (where, r))
            for name, mspec in s["members"].items():
                e = self.m.annot.get((id(s), name))
                child = self.build(mspec, where + "." + name, e,
                                   stack + (s,))
                members.append((name, child, name in required))
            # required bits follow the order of the model's required list
            req = tuple((name, child, required.index(name) if r else None)
                        for name, child, r in members)
            return self.intern(("structure", req), where)
        return self.intern((t,), where)

    def depth(self, i, memo):
        if i in memo:
            return memo[i]
        k = self.nodes[i]
        if k[0] == "list":
            d = 1 + self.depth(k[1], memo)
        elif k[0] == "map":
            d = 1 + self.depth(k[2], memo)
        elif k[0] == "structure":
            d = 1 + max([self.depth(c, memo) for _n, c, _r in k[1]] or [0])
        else:
            d = 0
        memo[i] = d
        return d


class Strings:
    """Every name in rows of ROW bytes; a string never crosses a row."""

    def __init__(self):
        self.rows = [bytearray()]
        self.at = {}

    def add(self, s):
        b = s.encode("utf-8")
        if b in self.at:
            return self.at[b]
        if len(b) + 1 > ROW - 1:
            raise GenError("name too long: %r" % s)
        # keep each row's literal shorter than the 4095 bytes C guarantees
        if len(self.rows[-1]) + len(b) + 1 > ROW - 1:
            self.rows.append(bytearray())
        row = len(self.rows) - 1
        off = (row << ROW_SHIFT) | len(self.rows[-1])
        if off > 0xFFFF:
            raise GenError("string table beyond 16-bit offsets")
        self.rows[-1] += b + b"\0"
        self.at[b] = off
        return off


def c_literal(b):
    out = []
    for ch in b:
        c = chr(ch)
        if c == "\0":
            out.append("\\0")
        elif c in "\\\"":
            out.append("\\" + c)
        elif 0x20 <= ch < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % ch)
    return "".join(out)


M64 = (1 << 64) - 1


def name_hash(b):
    """The member-name hash of shape_check.c's name_hash(), bit for bit:
    8-byte little-endian chunks (the last zero-padded) mixed by multiply."""
    h = 0x9E3779B97F4A7C15 ^ len(b)
    for i in range(0, len(b), 8):
        w = int.from_bytes(b[i:i + 8], "little")
        h = ((h ^ w) * 0xBF58476D1CE4E5B9) & M64
        h ^= h >> 31
    return h ^ (h >> 32)


def hash_slots(names, first):
    """Open-addressing table (linear probing) of at least twice as many
    slots as names, so a probe always ends at an empty slot."""
    bits = 1
    while (1 << bits) < 2 * len(names):
        bits += 1
    size = 1 << bits
    slots = [None] * size
    for j, name in enumerate(names):
        i = name_hash(name.encode("utf-8")) & (size - 1)
        while slots[i] is not None:
            i = (i + 1) & (size - 1)
        slots[i] = first + j
    return bits, slots


def check_table_header():
    """The #defines the generated tables depend on must match shape_table.h."""
    with open(TABLE_HEADER, encoding="utf-8") as f:
        text = f.read()
    for name, val in (("ECS_SHAPE_ROW", ROW), ("ECS_SHAPE_ROW_SHIFT", ROW_SHIFT),
                      ("ECS_SHAPE_MAX_DEPTH", MAX_DEPTH)):
        if "#define %s %d" % (name, val) not in text:
            raise GenError("%s: expected #define %s %d" % (TABLE_HEADER, name, val))


def generate(model_path, enums_path):
    model_json, model_sha = load(model_path)
    enums_json, enums_sha = load(enums_path)
    enums = enums_json["enums"]
    m = Model(model_json, enums)
    m.apply_overlay()
    m.apply_enums()

    t = Tables(m)
    action_names = sorted(m.ops, key=lambda s: s.encode("utf-8"))
    inputs = {}
    for op in action_names:
        spec = m.ops[op].get("input", {"type": "structure", "members": {}})
        if m.kind(spec) != "structure":
            raise GenError("%s: input is not a structure" % op)
        inputs[op] = t.build(spec, op)

    memo = {}
    depth = max(t.depth(i, memo) for i in inputs.values())
    if depth > MAX_DEPTH:
        raise GenError("input shapes nest %d deep, above ECS_SHAPE_MAX_DEPTH %d"
                       % (depth, MAX_DEPTH))

    strs = Strings()
    lines = []
    w = lines.append

    # nodes and members
    node_rows = []
    member_rows = []
    slot_rows = []      # (offset, slots, where)
    n_slots = 0
    for i, k in enumerate(t.nodes):
        kind = k[0]
        where = t.where[i]
        if kind == "string":
            node_rows.append(("ECS_SHAPE_STRING", 0, k[1], 0,
                              "enum %s" % t.enum_order[k[1] - 1] if k[1] else "", 0, 0))
        elif kind == "list":
            node_rows.append(("ECS_SHAPE_LIST", 0, k[1], 0, where, 0, 0))
        elif kind == "map":
            node_rows.append(("ECS_SHAPE_MAP", 0, k[1], k[2], where, 0, 0))
        elif kind == "structure":
            members = k[1]
            first = len(member_rows)
            nreq = sum(1 for _n, _c, r in members if r is not None)
            if nreq > 64 or len(members) > 0xFFFF:
                raise GenError("%s: too many members" % where)
            for name, child, r in members:
                nb = name.encode("utf-8")
                if len(nb) > 255:
                    raise GenError("member name too long: %r" % name)
                member_rows.append((strs.add(name), child, len(nb),
                                    "ECS_SHAPE_NOT_REQUIRED" if r is None else str(r), name))
            bits, slots = hash_slots([name for name, _c, _r in members], first)
            slot_rows.append((n_slots, slots, where))
            node_rows.append(("ECS_SHAPE_STRUCT", nreq, first, len(members), where,
                              bits, n_slots))
            n_slots += len(slots)
        else:
            node_rows.append((KINDS[kind], 0, 0, 0, "", 0, 0))
    if len(t.nodes) > 0xFFFF or len(member_rows) >= 0xFFFF or n_slots > 0xFFFF:
        raise GenError("tables beyond 16-bit indexes")

    # enums: values in the derived file's order (sorted), searched linearly
    enum_rows = []
    value_rows = []
    for name in t.enum_order:
        vals = enums[name]
        enum_rows.append((strs.add(name), len(value_rows), len(vals), name))
        for v in vals:
            value_rows.append((strs.add(v), len(v.encode("utf-8")), v))

    action_rows = []
    for op in action_names:
        action_rows.append((strs.add(op), len(op.encode("utf-8")), inputs[op], op))

    w("/*")
    w(" * GENERATED by tools/gen_shapes.py: do not edit; change the generator and")
    w(" * rerun it (python3 tools/gen_shapes.py).")
    w(" *")
    w(" * The input shape of every Amazon ECS action, generated from the public ECS")
    w(" * API model (ecs-2014-11-13, SDK \"min\" format, aws-sdk 2.1693.0)")
    w(" *   sha256 %s" % model_sha)
    w(" * and the enum lists of ecs-enums.derived.json")
    w(" *   sha256 %s" % enums_sha)
    w(" * plus the generator's own enum mapping and overlay tables. Member names")
    w(" * and types are facts of the API; no documentation text is included.")
    w(" * Shapes are deduplicated: identical shapes are one node. Input shapes")
    w(" * nest at most %d deep." % depth)
    w(" */")
    check_table_header()
    w("#include \"api/shape_table.h\"")
    w("")
    w("const char ecs_shape__strings[%d][ECS_SHAPE_ROW] = {" % len(strs.rows))
    for row in strs.rows:
        # split the literal into lines at NULs for readability
        parts = []
        cur = bytearray()
        for ch in row:
            cur.append(ch)
            if ch == 0 and len(cur) > 60:
                parts.append(bytes(cur))
                cur = bytearray()
        if cur:
            parts.append(bytes(cur))
        w("    " + "\n    ".join('"%s"' % c_literal(p) for p in parts) + ",")
    w("};")
    w("")
    w("const uint16_t ecs_shape__n_nodes = %d;" % len(node_rows))
    w("const ecs_shape_node ecs_shape__nodes[%d] = {" % len(node_rows))
    for i, (kind, nreq, a, b, note, bits, slots) in enumerate(node_rows):
        c = " /* %s */" % note if note else ""
        w("    /* %3d */ { %s, %d, %d, %d, %d, %d },%s" % (i, kind, nreq, bits, a, b, slots, c))
    w("};")
    w("")
    w("const ecs_shape_member ecs_shape__members[%d] = {" % len(member_rows))
    for i, (off, child, ln, req, name) in enumerate(member_rows):
        w("    /* %4d */ { %d, %d, %d, %s }, /* %s */" % (i, off, child, ln, req, name))
    w("};")
    w("")
    w("/* Per structure, a hash table of its members (see name_hash()). */")
    w("const uint16_t ecs_shape__member_slots[%d] = {" % n_slots)
    for off, slots, where in slot_rows:
        w("    /* %d: %s */" % (off, where))
        for j in range(0, len(slots), 12):
            w("    " + " ".join("%s," % ("ECS_SHAPE_NO_MEMBER" if x is None else x)
                                 for x in slots[j:j + 12]))
    w("};")
    w("")
    w("const uint16_t ecs_shape__n_enums = %d;" % len(enum_rows))
    w("const ecs_shape_enum ecs_shape__enums[%d] = {" % max(1, len(enum_rows)))
    for i, (off, first, count, name) in enumerate(enum_rows):
        w("    /* %2d */ { %d, %d, %d }, /* %s */" % (i, off, first, count, name))
    w("};")
    w("")
    w("const ecs_shape_text ecs_shape__enum_values[%d] = {" % max(1, len(value_rows)))
    for off, ln, v in value_rows:
        w("    { %d, %d }, /* %s */" % (off, ln, v))
    w("};")
    w("")
    w("/* Sorted by name (bytewise), for binary search. */")
    w("const uint16_t ecs_shape__n_actions = %d;" % len(action_rows))
    w("const ecs_shape_action ecs_shape__actions[%d] = {" % len(action_rows))
    for off, ln, inp, op in action_rows:
        w("    { %d, %d, %d }, /* %s */" % (off, ln, inp, op))
    w("};")
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description="Generate lib/api/shapes_gen.c")
    ap.add_argument("model", nargs="?", default=DEFAULT_MODEL,
                    help="ECS API model, SDK min format (default: %(default)s)")
    ap.add_argument("--enums", help="ecs-enums.derived.json (default: beside the model)")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="default: %(default)s")
    ap.add_argument("--check", action="store_true",
                    help="compare with the output file instead of writing it")
    args = ap.parse_args(argv)
    enums = args.enums or os.path.join(os.path.dirname(os.path.abspath(args.model)),
                                       DEFAULT_ENUMS_NAME)
    try:
        text = generate(args.model, enums)
    except (GenError, OSError, ValueError, KeyError) as e:
        print("gen_shapes: %s" % e, file=sys.stderr)
        return 2
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                same = f.read() == text
        except OSError:
            same = False
        if not same:
            print("gen_shapes: %s is stale; rerun tools/gen_shapes.py" % args.output,
                  file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
