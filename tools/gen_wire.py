#!/usr/bin/env python3
"""Generate PoolDesk's wire types from the AWS service models.

Reads crates/wire/models/<service>.service-2.json (botocore's models, the same ones the AWS
SDKs are generated from, vendored unchanged) and writes crates/wire/src/<module>.rs with:

- one Rust struct per structure shape (member names exactly as on the wire, required members
  as plain fields, optional ones as `Option`), one enum per string enum;
- `Validate` impls that check the model's length and range constraints and report them the
  way AWS does ("1 validation error detected: Value ... at 'userPoolId' failed to satisfy
  constraint: ...");
- an `Operation` enum (name, whether SigV4 is required, the errors the model lists);
- a `Service` trait with one method per operation and a `dispatch` function that decodes a
  JSON body, validates it, calls the method and encodes the answer;
- for a REST-JSON service (Cognito Sync), `ROUTES`: each operation's method, path template and
  the input members that travel in the path, the query string or a header, and
  `error_status`, the HTTP status of each error the model names;

and ui/src/generated/<service>.ts with the same shapes as TypeScript interfaces (required
members plain, optional ones `?`), enums as string unions, and an `Operations` map from each
operation's name to its input and output, for the desktop app's one typed call path. Both
come from the same walk of the model, so the Rust and TypeScript sides cannot drift apart.

Usage: python3 tools/gen_wire.py            (regenerates every module)
       python3 tools/gen_wire.py --check    (exits 1 if a committed file is stale)
"""
import json
import keyword
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "crates" / "wire" / "models"
SERVICES = [
    ("cognito-idp.service-2.json", "cognito_idp"),
    ("cognito-identity.service-2.json", "cognito_identity"),
    ("cognito-sync.service-2.json", "cognito_sync"),
]

# Sensitive shapes that hold secrets get the redacting `Sensitive<T>` wrapper. Usernames,
# client ids and attribute values are marked sensitive in the model as PII; they stay plain so
# the domain code reads naturally, and are never logged by PoolDesk anyway.
SECRET_SHAPES = {
    "PasswordType", "ClientSecretType", "SecretHashType", "SessionType", "TokenModelType",
    "SecretCodeType", "GetDerivedTokenTokenModelType", "AuthParametersType",
    "ChallengeResponsesType", "SoftwareTokenMFAUserCodeType",
    # cognito-identity
    "SecretKeyString", "OIDCToken", "IdentityProviderToken",
}

RUST_KEYWORDS = set(keyword.kwlist) | {
    "type", "match", "ref", "mod", "fn", "impl", "struct", "enum", "trait", "use", "where",
    "loop", "move", "mut", "pub", "self", "super", "crate", "static", "const", "unsafe", "dyn",
    "box", "abstract", "final", "override", "priv", "typeof", "unsized", "virtual", "yield",
    "async", "await", "try", "macro", "gen",
}


def snake(name: str) -> str:
    for plural, word in (("URLs", "Urls"), ("ARNs", "Arns"), ("IDs", "Ids"), ("OAuth", "Oauth")):
        name = name.replace(plural, word)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.replace("-", "_").lower()
    return f"r#{s}" if s in RUST_KEYWORDS else s


def camel_path(name: str) -> str:
    """AWS reports members in validation messages in lowerCamelCase ('userPoolId')."""
    return name[:1].lower() + name[1:]


def variant_name(value: str, taken: set) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", value)
    # SCREAMING_CASE and lowercase words are capitalised; words already in mixed case
    # ("AuthenticatedRole", "SignIn") keep their humps.
    v = "".join(p[:1].upper() + (p[1:] if p[1:] != p[1:].lower() and p != p.upper() else p[1:].lower()) for p in parts if p)
    if not v or v[0].isdigit():
        v = "V" + v
    base, i = v, 2
    while v in taken:
        v = f"{base}{i}"
        i += 1
    taken.add(v)
    return v


def rename_shape(model: dict, old: str, new: str) -> None:
    """Renames a shape and every reference to it (Cognito Sync's record patch `Op` is a shape
    called `Operation`, the name the generated operation enum takes)."""
    shapes = model["shapes"]
    if old not in shapes:
        return
    shapes[new] = shapes.pop(old)

    def walk(node):
        if isinstance(node, dict):
            if node.get("shape") == old:
                node["shape"] = new
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(model)


class Gen:
    def __init__(self, model: dict, module: str):
        rename_shape(model, "Operation", "RecordOperation")
        self.m = model
        self.shapes = model["shapes"]
        self.module = module
        self.out: list[str] = []
        self.reachable: set[str] = set()
        for op in model["operations"].values():
            for key in ("input", "output"):
                if key in op:
                    self.walk(op[key]["shape"])
            for err in op.get("errors", []):
                self.walk(err["shape"])

    def walk(self, name: str):
        if name in self.reachable:
            return
        self.reachable.add(name)
        s = self.shapes[name]
        if s["type"] == "structure":
            for mem in s["members"].values():
                self.walk(mem["shape"])
        elif s["type"] == "list":
            self.walk(s["member"]["shape"])
        elif s["type"] == "map":
            self.walk(s["key"]["shape"])
            self.walk(s["value"]["shape"])

    def rust_type(self, name: str) -> str:
        s = self.shapes[name]
        t = s["type"]
        if s.get("document"):
            # A free-form JSON document (managed login branding's `Settings`).
            inner = "serde_json::Value"
        elif t == "structure":
            inner = name
        elif t == "string":
            inner = name if "enum" in s else "String"
        elif t == "integer":
            inner = "i32"
        elif t == "long":
            inner = "i64"
        elif t in ("double", "float"):
            inner = "f64"
        elif t == "boolean":
            inner = "bool"
        elif t == "timestamp":
            inner = "Timestamp"
        elif t == "blob":
            inner = "String"
        elif t == "list":
            inner = f"Vec<{self.rust_type(s['member']['shape'])}>"
        elif t == "map":
            inner = (f"BTreeMap<{self.rust_type(s['key']['shape'])}, "
                     f"{self.rust_type(s['value']['shape'])}>")
        else:
            raise SystemExit(f"unhandled shape type {t} for {name}")
        if name in SECRET_SHAPES:
            return f"Sensitive<{inner}>"
        return inner

    def emit(self, line: str = ""):
        self.out.append(line)

    def gen(self) -> str:
        svc = self.m["metadata"]
        self.emit("// @generated by tools/gen_wire.py from the AWS model "
                  f"{svc['uid']}. Do not edit by hand.")
        self.emit("#![allow(clippy::all, non_camel_case_types, missing_docs)]")
        if any(n in SECRET_SHAPES for n in self.reachable):
            self.emit("use crate::{Sensitive, Timestamp, Validate, Violations};")
        else:
            self.emit("use crate::{Timestamp, Validate, Violations};")
        self.emit("use serde::{Deserialize, Serialize};")
        self.emit("use std::collections::BTreeMap;")
        self.emit()
        if "targetPrefix" in svc:
            self.emit(f'/// The JSON 1.1 target prefix, as in `X-Amz-Target: {svc["targetPrefix"]}.<Operation>`.')
            self.emit(f'pub const TARGET_PREFIX: &str = "{svc["targetPrefix"]}";')
        self.emit(f'/// The SigV4 signing name of this service.')
        self.emit(f'pub const SIGNING_NAME: &str = "{svc.get("signingName", svc["endpointPrefix"])}";')
        self.emit()
        for name in sorted(self.reachable):
            s = self.shapes[name]
            if s["type"] == "structure" and not s.get("document"):
                self.gen_struct(name, s)
            elif s["type"] == "string" and "enum" in s:
                self.gen_enum(name, s)
        self.gen_operations()
        if svc["protocol"] == "rest-json":
            self.gen_routes()
        return "\n".join(self.out) + "\n"

    def gen_routes(self):
        ops = self.m["operations"]
        self.emit()
        self.emit("/// Where each operation lives on the wire: its method and path template, and the input")
        self.emit("/// members that travel in the path, the query string or a header instead of the body.")
        self.emit(f"pub const ROUTES: [crate::Route<Operation>; {len(ops)}] = [")
        for n in sorted(ops):
            op = ops[n]
            inp = self.shapes[op["input"]["shape"]]
            bindings = []
            for mname, mem in inp["members"].items():
                loc = mem.get("location")
                if not loc:
                    continue
                kind = {"uri": "Path", "querystring": "Query", "header": "Header"}[loc]
                number = self.shapes[mem["shape"]]["type"] in ("integer", "long")
                bindings.append(f'crate::Binding {{ member: "{mname}", location: crate::Location::{kind}, '
                                f'name: "{mem.get("locationName", mname)}", number: {str(number).lower()} }}')
            self.emit("    crate::Route {")
            self.emit(f"        op: Operation::{n},")
            self.emit(f'        method: "{op["http"]["method"]}",')
            self.emit(f'        path: "{op["http"]["requestUri"]}",')
            self.emit(f"        bindings: &[{', '.join(bindings)}],")
            self.emit("    },")
        self.emit("];")
        self.emit()
        self.emit("/// The HTTP status the model gives an error (`__type`), 400 for one it does not name.")
        self.emit("pub fn error_status(code: &str) -> u16 {")
        self.emit("    match code {")
        for name in sorted(self.shapes):
            err = self.shapes[name].get("error")
            if err and err.get("httpStatusCode", 400) != 400:
                self.emit(f'        "{name}" => {err["httpStatusCode"]},')
        self.emit("        _ => 400,")
        self.emit("    }")
        self.emit("}")

    def has_default(self, name: str, seen=None) -> bool:
        """Whether a shape can derive Default: enums have no default value (a silent first
        variant once turned DeletionProtection on by accident), so neither does a structure
        that requires one."""
        seen = seen or set()
        if name in seen:
            return True
        seen.add(name)
        s = self.shapes[name]
        if s["type"] == "string" and "enum" in s:
            return False
        if s["type"] == "structure":
            return all(self.has_default(s["members"][m]["shape"], seen) for m in s.get("required", []))
        return True

    def gen_struct(self, name: str, s: dict):
        required = set(s.get("required", []))
        default = ", Default" if self.has_default(name) else ""
        # `remote = "Self"` turns the derives into inherent functions, wrapped below so a
        # structure is read from a JSON object only (serde alone also takes an array).
        self.emit(f"#[derive(Debug, Clone{default}, PartialEq, Serialize, Deserialize)]")
        self.emit('#[serde(remote = "Self")]')
        self.emit(f"pub struct {name} {{")
        for mname, mem in s["members"].items():
            ty = self.rust_type(mem["shape"])
            field = snake(mname)
            if mname in required:
                self.emit(f'    #[serde(rename = "{mname}")]')
                self.emit(f"    pub {field}: {ty},")
            else:
                self.emit(f'    #[serde(rename = "{mname}", default, skip_serializing_if = "Option::is_none")]')
                self.emit(f"    pub {field}: Option<{ty}>,")
        self.emit("}")
        self.emit()
        self.emit(f"impl Serialize for {name} {{")
        self.emit("    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {")
        self.emit(f"        {name}::serialize(self, s)")
        self.emit("    }")
        self.emit("}")
        self.emit()
        self.emit(f"impl<'de> Deserialize<'de> for {name} {{")
        self.emit("    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {")
        self.emit(f"        {name}::deserialize(crate::ObjectOnly(d))")
        self.emit("    }")
        self.emit("}")
        self.emit()
        self.emit(f"impl Validate for {name} {{")
        self.emit("    fn validate(&self, path: &str, v: &mut Violations) {")
        self.emit("        let _ = (path, &v);")
        for mname, mem in s["members"].items():
            field = snake(mname)
            checks = self.checks(mem["shape"], "x", f'(path, "{camel_path(mname)}")')
            if not checks:
                continue
            if mname in required:
                self.emit(f"        {{ let x = &self.{field}; {checks} }}")
            else:
                self.emit(f"        if let Some(x) = &self.{field} {{ {checks} }}")
        self.emit("    }")
        self.emit("}")
        self.emit()

    def checks(self, shape_name: str, var: str, path_expr: str) -> str:
        s = self.shapes[shape_name]
        t = s["type"]
        secret = shape_name in SECRET_SHAPES or s.get("sensitive", False)
        val = f"&{var}[..]" if shape_name not in SECRET_SHAPES else f"&{var}.0[..]"
        parts = []
        if t == "blob":
            # Blobs travel in base64; the model's lengths count the decoded bytes.
            lo, hi = s.get("min"), s.get("max")
            parts.append(f"v.blob({path_expr}, {val}, {lo if lo is not None else 0}, "
                         f"{hi if hi is not None else 'usize::MAX'});")
        elif t == "string" and "enum" not in s:
            lo, hi = s.get("min"), s.get("max")
            if lo is not None or hi is not None:
                parts.append(f"v.length({path_expr}, {val}, {lo if lo is not None else 0}, "
                             f"{hi if hi is not None else 'usize::MAX'}, {str(secret).lower()});")
        elif t in ("integer", "long"):
            lo, hi = s.get("min"), s.get("max")
            if lo is not None or hi is not None:
                parts.append(f"v.range({path_expr}, *{var} as i64, {lo if lo is not None else 'i64::MIN'}, "
                             f"{hi if hi is not None else 'i64::MAX'});")
        elif s.get("document"):
            parts.append(f"v.not_null({path_expr}, {var});")
        elif t == "structure":
            parts.append(f"{var}.validate(&crate::join({path_expr}), v);")
        elif t == "list":
            lo, hi = s.get("min"), s.get("max")
            inner = f"&{var}.0" if shape_name in SECRET_SHAPES else var
            if lo is not None or hi is not None:
                parts.append(f"v.count({path_expr}, {inner}.len(), {lo if lo is not None else 0}, "
                             f"{hi if hi is not None else 'usize::MAX'});")
            sub = self.checks(s["member"]["shape"], "item", f'(&format!("{{}}.{{}}", crate::join({path_expr}), i + 1), "member")')
            if sub:
                parts.append(f"for (i, item) in {inner}.iter().enumerate() {{ {sub} }}")
        elif t == "map":
            lo, hi = s.get("min"), s.get("max")
            inner = f"{var}.0" if shape_name in SECRET_SHAPES else var
            if lo is not None or hi is not None:
                parts.append(f"v.count({path_expr}, {inner}.len(), {lo if lo is not None else 0}, "
                             f"{hi if hi is not None else 'usize::MAX'});")
            ksub = self.checks(s["key"]["shape"], "k", path_expr)
            vsub = self.checks(s["value"]["shape"], "val", path_expr)
            if ksub or vsub:
                parts.append(f"for (k, val) in {inner}.iter() {{ let _ = (k, val); {ksub} {vsub} }}")
        return " ".join(parts)

    def gen_enum(self, name: str, s: dict):
        taken: set = set()
        # Deserialize is written below: from a JSON string only (serde's derive also takes
        # `{"VALUE": null}`).
        self.emit("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]")
        self.emit(f"pub enum {name} {{")
        variants = []
        for i, value in enumerate(s["enum"]):
            var = variant_name(value, taken)
            variants.append((var, value))
            self.emit(f'    #[serde(rename = "{value}")]')
            self.emit(f"    {var},")
        self.emit("}")
        self.emit()
        self.emit(f"impl {name} {{")
        self.emit("    /// The value as it appears on the wire.")
        self.emit("    pub fn as_str(&self) -> &'static str {")
        self.emit("        match self {")
        for var, value in variants:
            self.emit(f'            Self::{var} => "{value}",')
        self.emit("        }")
        self.emit("    }")
        self.emit("    /// Parses a wire value; `None` for a value the model does not list.")
        self.emit("    pub fn parse(value: &str) -> Option<Self> {")
        self.emit("        match value {")
        for var, value in variants:
            self.emit(f'            "{value}" => Some(Self::{var}),')
        self.emit("            _ => None,")
        self.emit("        }")
        self.emit("    }")
        self.emit("}")
        self.emit()
        self.emit(f"impl<'de> Deserialize<'de> for {name} {{")
        self.emit("    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {")
        values = ", ".join(f'"{value}"' for _, value in variants)
        self.emit(f"        crate::enum_value(d, &[{values}], Self::parse)")
        self.emit("    }")
        self.emit("}")
        self.emit()
        self.emit(f"impl Validate for {name} {{ fn validate(&self, _: &str, _: &mut Violations) {{}} }}")
        self.emit()

    def gen_operations(self):
        ops = self.m["operations"]
        names = sorted(ops)
        self.emit("/// Every operation of the service, parsed from the `X-Amz-Target` header.")
        self.emit("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]")
        self.emit("pub enum Operation {")
        for n in names:
            self.emit(f"    {n},")
        self.emit("}")
        self.emit()
        self.emit("impl Operation {")
        self.emit("    /// Every operation, in name order.")
        self.emit(f"    pub const ALL: [Operation; {len(names)}] = [")
        for n in names:
            self.emit(f"        Operation::{n},")
        self.emit("    ];")
        self.emit("    /// Parses the operation part of `X-Amz-Target` (after the prefix and the dot).")
        self.emit("    pub fn from_name(name: &str) -> Option<Self> {")
        self.emit("        match name {")
        for n in names:
            self.emit(f'            "{n}" => Some(Self::{n}),')
        self.emit("            _ => None,")
        self.emit("        }")
        self.emit("    }")
        self.emit("    pub fn name(&self) -> &'static str {")
        self.emit("        match self {")
        for n in names:
            self.emit(f'            Self::{n} => "{n}",')
        self.emit("        }")
        self.emit("    }")
        self.emit("    /// Whether the model marks the operation `authtype: none` (callable without SigV4).")
        self.emit("    pub fn is_public(&self) -> bool {")
        public = [n for n in names if ops[n].get("authtype") == "none"]
        if public:
            self.emit("        matches!(self, " + " | ".join(f"Self::{n}" for n in public) + ")")
        else:
            self.emit("        false")
        self.emit("    }")
        self.emit("    /// The error names (`__type`) the model lists for the operation.")
        self.emit("    pub fn errors(&self) -> &'static [&'static str] {")
        self.emit("        match self {")
        for n in names:
            errs = ", ".join(f'"{e["shape"]}"' for e in ops[n].get("errors", []))
            self.emit(f"            Self::{n} => &[{errs}],")
        self.emit("        }")
        self.emit("    }")
        self.emit("}")
        self.emit()
        # The service trait.
        self.emit("/// One method per operation. Each has a default body answering")
        self.emit("/// `Self::Error::unsupported`, so an implementation grows one operation at a time.")
        self.emit("pub trait Service {")
        self.emit("    /// Per-request context (caller, source address, ...).")
        self.emit("    type Context;")
        self.emit("    type Error: crate::ServiceError;")
        for n in names:
            op = ops[n]
            inp = op["input"]["shape"] if "input" in op else "()"
            out = op["output"]["shape"] if "output" in op else "()"
            self.emit(f"    fn {snake(n)}(&self, ctx: &Self::Context, input: {inp}) -> Result<{out}, Self::Error> {{")
            self.emit(f"        let _ = (ctx, input);")
            self.emit(f"        Err(<Self::Error as crate::ServiceError>::unsupported(\"{n}\"))")
            self.emit("    }")
        self.emit("}")
        self.emit()
        self.emit("/// Decodes `body` as the operation's input, validates it against the model, calls the")
        self.emit("/// service and encodes its answer as JSON.")
        self.emit("pub fn dispatch<S: Service>(svc: &S, ctx: &S::Context, op: Operation, body: &[u8]) -> Result<Vec<u8>, S::Error> {")
        self.emit("    match op {")
        for n in names:
            op = ops[n]
            inp = op["input"]["shape"]
            out_encode = "crate::encode" if "output" in op else "crate::encode_empty"
            self.emit(f"        Operation::{n} => {{")
            self.emit(f"            let input: {inp} = crate::decode::<{inp}, S::Error>(body)?;")
            self.emit(f"            {out_encode}(svc.{snake(n)}(ctx, input)?)")
            self.emit("        }")
        self.emit("    }")
        self.emit("}")


class TsGen(Gen):
    """The TypeScript view of the same shapes, for the desktop app's web UI."""

    def __init__(self, model: dict, module: str):
        # Cognito Sync's `Record` would hide TypeScript's own `Record<K, V>`.
        model = json.loads(json.dumps(model))
        rename_shape(model, "Record", "SyncRecord")
        super().__init__(model, module)

    def ts_type(self, name: str) -> str:
        s = self.shapes[name]
        t = s["type"]
        if s.get("document"):
            return "JsonValue"
        if t == "structure" or (t == "string" and "enum" in s):
            return name
        if t in ("string", "blob"):
            return "string"
        if t in ("integer", "long", "double", "float", "timestamp"):
            # JSON 1.1 sends timestamps as epoch seconds.
            return "number"
        if t == "boolean":
            return "boolean"
        if t == "list":
            inner = self.ts_type(s["member"]["shape"])
            return f"{inner}[]"
        if t == "map":
            key = self.ts_type(s["key"]["shape"])
            value = self.ts_type(s["value"]["shape"])
            if key in ("string", "number"):
                return f"Record<string, {value}>"
            # An enum key: not every value need be present.
            return f"Partial<Record<{key}, {value}>>"
        raise SystemExit(f"unhandled shape type {t} for {name}")

    def gen(self) -> str:
        svc = self.m["metadata"]
        self.emit("// @generated by tools/gen_wire.py from the AWS model "
                  f"{svc['uid']}. Do not edit by hand.")
        self.emit("/* eslint-disable */")
        self.emit()
        if "targetPrefix" in svc:
            self.emit(f'export const TARGET_PREFIX = "{svc["targetPrefix"]}";')
            self.emit()
        if any(self.shapes[n].get("document") for n in self.reachable):
            self.emit("/** A free-form JSON document, as the model's `document` shapes carry. */")
            self.emit("export type JsonValue = null | boolean | number | string | JsonValue[] | "
                      "{ [key: string]: JsonValue };")
            self.emit()
        for name in sorted(self.reachable):
            s = self.shapes[name]
            if s.get("document"):
                continue
            if s["type"] == "structure":
                required = set(s.get("required", []))
                members = s["members"]
                if not members:
                    self.emit(f"export type {name} = Record<string, never>;")
                    self.emit()
                    continue
                self.emit(f"export interface {name} {{")
                for mem, spec in members.items():
                    opt = "" if mem in required else "?"
                    self.emit(f"  {mem}{opt}: {self.ts_type(spec['shape'])};")
                self.emit("}")
                self.emit()
            elif s["type"] == "string" and "enum" in s:
                values = " | ".join(json.dumps(v) for v in s["enum"])
                self.emit(f"export type {name} = {values};")
                self.emit()
        ops = self.m["operations"]
        self.emit("/** Every operation: its input and output shapes (`Record<string, never>` when it has none). */")
        self.emit("export interface Operations {")
        for n in sorted(ops):
            op = ops[n]
            inp = op["input"]["shape"] if "input" in op else "Record<string, never>"
            out = op["output"]["shape"] if "output" in op else "Record<string, never>"
            self.emit(f"  {n}: {{ input: {inp}; output: {out} }};")
        self.emit("}")
        self.emit()
        self.emit("/** The operations callable without a SigV4 signature (`authtype: none`). */")
        public = [n for n in sorted(ops) if ops[n].get("authtype") == "none"]
        self.emit("export const PUBLIC_OPERATIONS: ReadonlySet<keyof Operations> = new Set([")
        for n in public:
            self.emit(f'  "{n}",')
        self.emit("]);")
        return "\n".join(self.out) + "\n"


def main():
    check = "--check" in sys.argv
    stale = False
    for model_file, module in SERVICES:
        model = json.loads((MODELS / model_file).read_text())
        outputs = [
            (ROOT / "crates" / "wire" / "src" / f"{module}.rs", Gen(model, module).gen()),
            (ROOT / "ui" / "src" / "generated" / f"{module.replace('_', '-')}.ts", TsGen(model, module).gen()),
        ]
        for target, code in outputs:
            if check:
                if not target.exists() or target.read_text() != code:
                    print(f"stale: {target.relative_to(ROOT)} (run python3 tools/gen_wire.py)")
                    stale = True
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(code)
                print(f"wrote {target.relative_to(ROOT)}")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
