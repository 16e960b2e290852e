"""The AWS models of both Cognito services (botocore's, vendored in `crates/wire/models`) and the bad
requests derived from them: for each operation a "valid-looking" baseline body (required members
only, each the smallest value its shape allows) and every way to break it one at a time. Used by
the bad-input suite (test_bad_input.py) and as the fuzzers' seeds (fuzz/seeds.py). Standard
library only.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

MODELS = Path(__file__).resolve().parents[2] / "crates" / "wire" / "models"
# Structure nesting below the top level whose members are broken too (list and map elements
# do not count as a level): 1 = members of the input and of the structures they hold.
NESTED_LEVELS = 1
# The deepest recursion when building a baseline value (the models have recursive shapes).
MAX_SAMPLE_DEPTH = 8
# Bodies over this are refused by the body limit before any decoding; a "too long" case that
# would need one tests the limit, not the model's constraint, so it is left out.
MAX_CASE_BYTES = 512 * 1024

DELETE = object()  # a mutation that removes the member instead of setting it


class Service:
    def __init__(self, file: str, signing_name: str) -> None:
        self.model = json.loads((MODELS / file).read_text("utf-8"))
        self.shapes: dict[str, dict] = self.model["shapes"]
        self.operations: dict[str, dict] = self.model["operations"]
        self.target_prefix: str = self.model["metadata"]["targetPrefix"]
        self.signing_name = signing_name

    def errors(self, op: str) -> set[str]:
        return {e["shape"] for e in self.operations[op].get("errors", [])}

    def input_shape(self, op: str) -> str:
        return self.operations[op]["input"]["shape"]


IDP = Service("cognito-idp.service-2.json", "cognito-idp")
IDENTITY = Service("cognito-identity.service-2.json", "cognito-identity")


# ---------------------------------------------------------------------------------------------
# Baseline values
# ---------------------------------------------------------------------------------------------

# Plausible values for a few shapes, used when they fit the shape's length limits.
PLAUSIBLE = {
    "UserPoolIdType": "us-east-1_AAAAAAAAA",
    "IdentityPoolId": "us-east-1:00000000-0000-4000-8000-000000000000",
    "IdentityId": "us-east-1:00000000-0000-4000-8000-000000000001",
}


def _fits(value: str, spec: dict) -> bool:
    return spec.get("min", 0) <= len(value) <= spec.get("max", len(value))


def sample(svc: Service, shape: str, depth: int = 0) -> Any:
    """The smallest value of `shape` the model allows: required members only, lists and maps
    with as few entries as allowed (at least one), strings of letters at their minimum length,
    numbers at their minimum, the first enum value."""
    spec = svc.shapes[shape]
    t = spec["type"]
    if t == "string":
        if "enum" in spec:
            return spec["enum"][0]
        if shape in PLAUSIBLE and _fits(PLAUSIBLE[shape], spec):
            return PLAUSIBLE[shape]
        n = max(spec.get("min", 1), 1)
        return "A" * min(n, spec.get("max", n))
    if t in ("integer", "long"):
        value = spec.get("min", 1)
        return min(value, spec["max"]) if "max" in spec else value
    if t in ("double", "float"):
        return float(spec.get("min", 1))
    if t == "boolean":
        return True
    if t == "timestamp":
        return 1_700_000_000
    if t == "blob":
        return "QUFBQQ=="  # base64("AAAA")
    if t == "structure":
        if spec.get("document") or depth > MAX_SAMPLE_DEPTH:
            return {}
        return {m: sample(svc, spec["members"][m]["shape"], depth + 1) for m in spec.get("required", [])}
    if t == "list":
        item = sample(svc, spec["member"]["shape"], depth + 1)
        return [copy.deepcopy(item) for _ in range(max(spec.get("min", 1), 1))]
    if t == "map":
        keys = _distinct_keys(svc, spec["key"]["shape"], max(spec.get("min", 1), 1))
        return {k: sample(svc, spec["value"]["shape"], depth + 1) for k in keys}
    raise AssertionError(f"unhandled shape type {t} for {shape}")


def _distinct_keys(svc: Service, key_shape: str, count: int) -> list[str]:
    """`count` distinct map keys, valid for the key shape as long as it has enough values."""
    spec = svc.shapes[key_shape]
    if "enum" in spec and count <= len(spec["enum"]):
        return spec["enum"][:count]
    if count == 1:
        return [sample(svc, key_shape)]
    width = max(spec.get("min", 1), len(str(count)) + 1)
    return [f"K{i}".ljust(width, "A") for i in range(count)]


def as_array(svc: Service, shape: str, value: dict) -> list:
    """A structure's members as a JSON array in model order (null for absent ones)."""
    return [value.get(m) for m in svc.shapes[shape]["members"]]


# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------

# A mutation is (path, description, value). A path is a list of (key, shape of the value there);
# the last step is what the mutation sets (or removes, for DELETE).
JsonPath = list[tuple[Any, str]]


def wrong_types(svc: Service, shape: str) -> Iterator[tuple[str, Any]]:
    """Values of the wrong JSON type for `shape`."""
    spec = svc.shapes[shape]
    t = spec["type"]
    if t == "string" and "enum" in spec:
        # serde would take {"VALUE": null} for a unit enum variant: AWS does not.
        first = spec["enum"][0]
        yield from [("a number", 12345), ("an object", {first: None}), ("an array", [first]), ("a boolean", True)]
    elif t in ("string", "blob"):
        yield from [("a number", 12345), ("an object", {}), ("an array", []), ("a boolean", True)]
    elif t in ("integer", "long", "double", "float", "timestamp"):
        yield from [("a string", "NOT_A_NUMBER"), ("an object", {}), ("an array", []), ("a boolean", True)]
    elif t == "boolean":
        yield from [("a string", "NOT_A_BOOL"), ("an object", {}), ("an array", [])]
    elif t == "structure":
        if spec.get("document"):
            return  # any JSON value is a document
        # An array of the members' values: serde reads a struct from one, AWS does not.
        yield from [("a string", "NOT_A_STRUCTURE"), ("a number", 12345),
                    ("an array of its members' values", as_array(svc, shape, sample(svc, shape))), ("a boolean", True)]
    elif t == "list":
        yield from [("a string", "NOT_A_LIST"), ("a number", 12345), ("an object", {}), ("a boolean", True)]
    elif t == "map":
        yield from [("a string", "NOT_A_MAP"), ("a number", 12345), ("an array", []), ("a boolean", True)]


def value_mutations(svc: Service, shape: str, level: int) -> Iterator[tuple[list, str, Any]]:
    """Ways to break a value of `shape` (relative path, description, value)."""
    spec = svc.shapes[shape]
    t = spec["type"]
    for what, bad in wrong_types(svc, shape):
        yield [], f"given {what}", bad
    if t == "string" and "enum" in spec:
        yield [], "given an unknown enum value", "NOT_A_REAL_VALUE"
    elif t == "string":
        lo, hi = spec.get("min", 0), spec.get("max")
        if hi is not None and hi + 1 <= MAX_CASE_BYTES:
            yield [], f"{hi + 1} characters (max {hi})", "A" * (hi + 1)
        if lo > 0:
            yield [], f"{lo - 1} characters (min {lo})", "A" * (lo - 1)
    elif t == "blob":
        yield [], "not base64", "!!! not base64 !!!"
        if "max" in spec and (spec["max"] + 1) * 4 // 3 + 4 <= MAX_CASE_BYTES:
            n = spec["max"] + 1
            yield [], f"{n} bytes (max {spec['max']})", "QUFB" * (n // 3) + ["", "QQ==", "QUE="][n % 3]
    elif t in ("integer", "long"):
        if "min" in spec:
            yield [], f"{spec['min'] - 1} (min {spec['min']})", spec["min"] - 1
        if "max" in spec:
            yield [], f"{spec['max'] + 1} (max {spec['max']})", spec["max"] + 1
        big = 2**31 if t == "integer" else 2**63
        yield [], f"{big} (out of the {t} range)", big
    elif t == "list":
        item_shape = spec["member"]["shape"]
        if "max" in spec:
            item = sample(svc, item_shape)
            too_many = [copy.deepcopy(item) for _ in range(spec["max"] + 1)]
            yield [], f"{spec['max'] + 1} entries (max {spec['max']})", too_many
        if spec.get("min", 0) > 0:
            yield [], f"{spec['min'] - 1} entries (min {spec['min']})", []
        for rel, desc, bad in value_mutations(svc, item_shape, level):
            yield [(0, item_shape), *rel], desc, bad
    elif t == "map":
        key_shape, value_shape = spec["key"]["shape"], spec["value"]["shape"]
        if "max" in spec:
            keys = _distinct_keys(svc, key_shape, spec["max"] + 1)
            yield [], f"{spec['max'] + 1} entries (max {spec['max']})", {k: sample(svc, value_shape) for k in keys}
        if spec.get("min", 0) > 0:
            yield [], f"{spec['min'] - 1} entries (min {spec['min']})", {}
        key_spec = svc.shapes[key_shape]
        if "enum" in key_spec:
            yield [], "an unknown enum value as a key", {"NOT_A_REAL_VALUE": sample(svc, value_shape)}
        elif "max" in key_spec:
            yield [], f"a key of {key_spec['max'] + 1} characters (max {key_spec['max']})", {
                "A" * (key_spec["max"] + 1): sample(svc, value_shape)
            }
        key = sample(svc, key_shape)
        for rel, desc, bad in value_mutations(svc, value_shape, level):
            yield [(key, value_shape), *rel], desc, bad
    elif t == "structure" and level < NESTED_LEVELS and not spec.get("document"):
        yield from member_mutations(svc, shape, level + 1)


def member_mutations(svc: Service, shape: str, level: int = 0) -> Iterator[tuple[list, str, Any]]:
    """Ways to break a structure of `shape` through its members."""
    spec = svc.shapes[shape]
    required = set(spec.get("required", []))
    for name, member in spec["members"].items():
        member_shape = member["shape"]
        step = (name, member_shape)
        if name in required:
            yield [step], "required member missing", DELETE
            yield [step], "required member null", None
        for rel, desc, bad in value_mutations(svc, member_shape, level):
            yield [step, *rel], desc, bad


def apply(svc: Service, baseline: dict, path: JsonPath, value: Any) -> dict:
    body = copy.deepcopy(baseline)
    node: Any = body
    for key, shape in path[:-1]:
        present = key in node if isinstance(node, dict) else key < len(node)
        if not present:
            node[key] = sample(svc, shape)
        node = node[key]
    key, _ = path[-1]
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return body


def describe(path: JsonPath, desc: str) -> str:
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k, _ in path).lstrip(".")
    return f"{where}: {desc}"


def cases(svc: Service, op: str) -> list[tuple[str, bytes]]:
    """(description, body) for every bad request derived from `op`'s input shape."""
    shape = svc.input_shape(op)
    spec = svc.shapes[shape]
    baseline = sample(svc, shape)
    out: list[tuple[str, bytes]] = []
    for path, desc, bad in member_mutations(svc, shape):
        body = json.dumps(apply(svc, baseline, path, bad)).encode()
        if len(body) <= MAX_CASE_BYTES:
            out.append((describe(path, desc), body))

    text = json.dumps(baseline).encode()
    first = next(iter(spec["members"]))
    out += [
        ("body: not JSON", b"not json"),
        ("body: an empty array", b"[]"),
        ("body: the input's members as an array", json.dumps(as_array(svc, shape, baseline)).encode()),
        ("body: a string", b'"string"'),
        ("body: null", b"null"),
        ("body: a lone {", b"{"),
        ("body: the baseline truncated", text[:-1]),
        ("body: trailing garbage after the object", text + b" }"),
        ("body: 10,000 nested arrays in a member", b'{"%s": %s%s}' % (first.encode(), b"[" * 10_000, b"]" * 10_000)),
    ]
    # Bodies that stress the parser with unknown members carry none of the input's own members
    # (or, when none is required, the first one with a wrong type), so that they are bad input.
    spoiler = b""
    if not spec.get("required"):
        numeric = svc.shapes[spec["members"][first]["shape"]]["type"] in ("integer", "long")
        wrong = "NOT_A_NUMBER" if numeric else 12345
        spoiler = b', "' + first.encode() + b'": ' + json.dumps(wrong).encode()
    deep = b'{"a": ' * 10_000 + b"1" + b"}" * 10_000
    out.append(("body: 10,000 nested objects in an unknown member", b'{"Junk": ' + deep + spoiler + b"}"))
    flood = json.dumps({f"Unknown{i}": i for i in range(5000)}).encode()
    out.append(("body: 5,000 unknown members", flood[:-1] + spoiler + b"}"))
    # Invalid UTF-8 inside a string the input holds (under a required member if there is one).
    required = spec.get("required", [])
    strings = [path for path, _, _ in member_mutations(svc, shape) if svc.shapes[path[-1][1]]["type"] == "string"]
    strings.sort(key=lambda path: path[0][0] not in required)
    if strings:
        body = json.dumps(apply(svc, baseline, strings[0], "@@BAD@@")).encode()
        out.append((describe(strings[0], "invalid UTF-8"), body.replace(b"@@BAD@@", b"\xff\xfe\xc3")))
    return out
