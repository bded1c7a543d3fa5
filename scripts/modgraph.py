#!/usr/bin/env python3
"""modgraph: every module tree of the crate, and the import cycles between siblings (text, not a compiler).

A tree is a folder of src/ (src itself included): its nodes are the folder's direct children, a file `x.rs` or a
folder `x/` (`mod.rs`, `lib.rs`, `main.rs` and test-only `tests.rs` are the tree's root, not nodes). An edge a → b
means some file of a names its sibling b: through `crate::<tree>::b`, or through as many `super::` as lead from the
file back to the tree. Comments and the `#[cfg(test)]` module at the end of a file are left out.

    python3 scripts/modgraph.py            # prints each tree's edges and cycles; exits 1 if any tree has a cycle
    python3 scripts/modgraph.py --quiet    # only the cycles and the summary

Run from the repository root (.ci/run does).
"""
import os
import re
import sys

ROOTS = {"mod.rs", "lib.rs", "main.rs", "tests.rs"}


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def nodes(root):
    out = {}
    for name in sorted(os.listdir(root)):
        p = os.path.join(root, name)
        if name.endswith(".rs") and name not in ROOTS:
            out[name[:-3]] = [p]
        elif os.path.isdir(p):
            out[name] = [os.path.join(dp, f) for dp, _, fs in os.walk(p) for f in fs if f.endswith(".rs")]
    return out


def module_depth(root, path):
    """How many `super::` lead from the module of file `path` back to the tree at `root`."""
    rel = os.path.relpath(path, root).split(os.sep)
    parts = rel[:-1] + ([] if rel[-1] == "mod.rs" else [rel[-1][:-3]])
    return len(parts)


def group_tokens(text, start):
    """The words of the `{…}` group that opens at text[start] (braces matched)."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    return re.findall(r"\w+", text[start:i])


def references(text, prefix):
    """The sibling names that `text` reaches through `prefix` (a regex ending in `::`)."""
    out = set()
    for m in re.finditer(prefix + r"(\{|\w+)", text):
        if m.group(1) == "{":
            out.update(group_tokens(text, m.start(1)))
        else:
            out.add(m.group(1))
    return out


def edges(root, crate_path):
    ns = nodes(root)
    es = {n: set() for n in ns}
    for n, files in ns.items():
        for f in files:
            with open(f, encoding="utf-8", errors="replace") as fh:
                t = strip(fh.read())
            found = references(t, r"\bcrate::" + (crate_path + "::" if crate_path else ""))
            depth = module_depth(root, f)
            found |= references(t, r"(?<![\w:])" + r"super::" * depth)
            es[n] |= {tok for tok in found if tok in ns and tok != n}
    return es


def cycles(es):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(es[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(es):
        if v not in index:
            visit(v)
    return out


def main():
    quiet = "--quiet" in sys.argv
    trees = sorted(dp for dp, _, _ in os.walk("src"))
    total = 0
    for root in trees:
        crate_path = "::".join(os.path.relpath(root, "src").split(os.sep)) if root != "src" else ""
        es = edges(root, crate_path)
        if len(es) < 2:
            continue
        cyc = cycles(es)
        total += len(cyc)
        if not quiet:
            print(f"[{root}]")
            for n in sorted(es):
                print(f"  {n:18} -> {', '.join(sorted(es[n])) or '-'}")
        for c in cyc:
            print(f"cycle in {root}: {' <-> '.join(c)}")
    print(f"modgraph: {len(trees)} trees, {total} import cycles")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
