#!/usr/bin/env python3
# Usage (in ui/, after `npm install` changed dependencies): python3 scripts/lock-other-platforms.py package-lock.json && npm install
# Why: the npm registry reachable here does not serve other platforms' native packages (404), so npm
# leaves them out of the lock and `npm ci` then reports the lock out of sync with package.json.
# Entries with their os/cpu make npm skip them on this platform without fetching them.
# Adds lock entries for other platforms' optional native packages that this workplace's
# registry mirror does not serve, so `npm ci` sees the lock in sync with package.json.
import json, re, sys
p = sys.argv[1]
lock = json.load(open(p))
pk = lock["packages"]
OS = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "netbsd", "sunos", "aix", "openharmony"]
CPU = {"arm64": "arm64", "x64": "x64", "ia32": "ia32", "arm": "arm", "riscv64": "riscv64", "ppc64": "ppc64",
       "s390x": "s390x", "loong64": "loong64", "mips64el": "mips64el", "armv7": "arm", "32": "ia32", "64": "x64"}
added = []
for path, meta in list(pk.items()):
    for name, ver in (meta.get("optionalDependencies") or {}).items():
        base = path + "/node_modules/" if path else "node_modules/"
        if base + name in pk or "node_modules/" + name in pk:
            continue
        leaf = name.split("/")[-1]
        parts = re.split(r"[-]", leaf)
        entry = {"version": ver, "optional": True}
        oss = [o for o in OS if o in parts]
        if "wasm32" in parts or "wasi" in leaf:
            entry["cpu"] = ["wasm32"]
        else:
            if oss: entry["os"] = oss[:1]
            cpus = [CPU[c] for c in parts if c in CPU]
            if cpus: entry["cpu"] = cpus[:1]
            if "musl" in parts or "musleabihf" in parts: entry["libc"] = ["musl"]
            elif oss[:1] == ["linux"] and ("gnu" in parts or "gnueabihf" in parts): entry["libc"] = ["glibc"]
        pk["node_modules/" + name] = entry
        added.append((name, entry.get("os"), entry.get("cpu"), entry.get("libc")))
lock["packages"] = dict(sorted(pk.items(), key=lambda kv: (kv[0] != "", kv[0])))
json.dump(lock, open(p, "w"), indent=2)
open(p, "a").write("\n")
for a in added: print(*a)
