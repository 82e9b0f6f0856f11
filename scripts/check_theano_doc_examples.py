#!/usr/bin/env python3
"""Runs Theano's documentation examples through the `theano` alias and counts what passes.

Usage:
    scripts/check_theano_doc_examples.py DOC_DIR [--build build] [--only PATTERN]...
                                         [-v] [--json OUT.json] [--compare BEFORE.json]

DOC_DIR holds Theano's reStructuredText pages (doc/tutorial/*.txt, doc/library/**/*.txt,
doc/extending/*.txt of the Theano/Theano repository), kept OUTSIDE this repository: their
text is Theano's, not ours. docs/theano_doc_examples.md says how to fetch them.

What is an example, as Sphinx's doctest builder (which Theano's docs were tested with) saw it:
  - a `>>>` example, with the lines up to the next blank line or `>>>` as its expected output;
  - a `.. testcode::` block, with the next `.. testoutput::` block of its group as its
    expected output (none: it only has to run without an exception).
`.. testsetup::` blocks run first in their group and are not counted. Groups
(`.. testcode:: name`) have their own namespace; plain `>>>` examples are in "default".
`.. code-block::` contents are not examples.

Each page runs in a fresh interpreter (a subprocess of this script), in a scratch working
directory, with `import theano` resolved to Theon's alias (python/compat and the build's
python directory first on sys.path), its groups in the order they first appear and each
group's examples in page order. A page that runs past --timeout seconds counts its
unfinished examples as failed.

What counts as a pass (docs/theano_doc_examples.md gives the reasons):
  - doctest's own comparison with NORMALIZE_WHITESPACE | ELLIPSIS plus the example's options;
  - or the same text once numbers are compared as numbers: every number equal to within
    1e-5 relative (1e-8 absolute), every other non-blank character identical. This absorbs
    the NumPy >= 1.14 repr (`array(5.)` for Theano's `array(5.0)`, `[1. 2.]` for `[ 1.  2.]`)
    and last-digit float noise, and nothing else;
  - an expected exception passes when the same exception class is raised
    (IGNORE_EXCEPTION_DETAIL): messages are each implementation's own words.
Skipped, and listed: `# doctest: +SKIP` examples (Theano skips them too), examples needing a GPU
(`theano.gpuarray`, `device=cuda`, `pycuda`, `sandbox.cuda`) and ones using `theano.sparse`
(not offered by Theon). A failure after an earlier failure of the same group is still a
failure; the report names the earlier one as its likely root cause when the later example
uses a name the failed one was to define, or failed with a NameError.
"""
import argparse
import doctest
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Substrings of an example's source that make it need a GPU, and ones that need a feature
# Theon does not offer (documented in docs/theano_doc_examples.md).
GPU_MARKERS = ("theano.gpuarray", "device=cuda", "device='cuda", 'device="cuda', "import pycuda",
               "from pycuda", "sandbox.cuda", "gpuarray.", "theano.misc.pycuda")
NOT_OFFERED_MARKERS = ("theano.sparse", "import sparse", "sparse.csc", "sparse.csr",
                       "scipy.sparse")
# Whole pages about a GPU or sparse back end.
SKIPPED_PAGES = ("*gpuarray*", "*sandbox/cuda*", "*using_gpu*", "*using_multi_gpu*",
                 "*gpu_data_convert*", "*pycuda*", "*extending_theano_gpu*", "*sparse*")

DIRECTIVE_RE = re.compile(r"^(\s*)\.\.\s+(testsetup|testcode|testoutput|doctest|testcleanup|"
                          r"code-block|code|sourcecode|literalinclude)::\s*(.*)$")
# `.. anything` that is not a directive (`name::`), a target (`_x:`) or a substitution (`|x|`).
COMMENT_RE = re.compile(r"^(\s*)\.\.(?:\s*$|\s+(?![_|\[])(?!\S*::)(?!.*::\s*\S*$))")
OPTION_RE = re.compile(r"^\s*:(\w+):\s*(.*)$")
NUMBER = r"(?<![\w.])[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)(?![\w])"
NUMBER_RE = re.compile(NUMBER)
# NumPy 2 wraps scalars: np.float64(1.5) prints as 1.5 did.
NUMPY_SCALAR_RE = re.compile(r"np\.(?:float|int|uint|complex|bool_|str_)\d*\(([^()]*)\)")
BASE_FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL


# --------------------------------------------------------------------------- extraction

class Example:
    """One counted example (or a setup block) of a page."""

    def __init__(self, kind, group, source, want, lineno, flags=0, skip_reason=None):
        self.kind = kind            # "doctest", "testcode" or "setup"
        self.group = group
        self.source = source
        self.want = want
        self.lineno = lineno        # 1-based line in the page
        self.flags = flags          # doctest option flags on top of BASE_FLAGS
        self.skip_reason = skip_reason

    def to_dict(self):
        return dict(kind=self.kind, group=self.group, source=self.source, want=self.want,
                    lineno=self.lineno, flags=self.flags, skip_reason=self.skip_reason)


def _option_flags(text):
    flags, skip = 0, False
    for word in re.split(r"[\s,]+", text.strip()):
        if not word:
            continue
        name = word[1:]
        if name == "SKIP":
            skip = word[0] == "+"
        elif name in doctest.OPTIONFLAGS_BY_NAME and word[0] == "+":
            flags |= doctest.OPTIONFLAGS_BY_NAME[name]
    return flags, skip


def _block(lines, start, indent):
    """The body of a directive whose line is lines[start-1]: options and indented content."""
    options, i = {}, start
    while i < len(lines) and OPTION_RE.match(lines[i]) and (
            len(lines[i]) - len(lines[i].lstrip()) > indent):
        m = OPTION_RE.match(lines[i])
        options[m.group(1)] = m.group(2)
        i += 1
    while i < len(lines) and not lines[i].strip() and i + 1 < len(lines) and (
            not lines[i + 1].strip() or len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent):
        i += 1   # blank lines before the content: the content's first line is its line
    body_start = i
    while i < len(lines):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        i += 1
    body = textwrap.dedent("\n".join(lines[body_start:i])).strip("\n")
    return options, body, body_start, i


def _skip_reason(source):
    source = re.sub(r"#.*", "", source)   # a comment that names pycuda needs no GPU
    if any(m in source for m in GPU_MARKERS):
        return "needs a GPU"
    if any(m in source for m in NOT_OFFERED_MARKERS):
        return "theano.sparse (not offered)"
    return None


def _doctest_examples(text, first_lineno, group, extra_flags=0, skip_all=False):
    out = []
    for ex in doctest.DocTestParser().get_examples(text):
        flags, skip = extra_flags, skip_all
        for flag, on in ex.options.items():
            if flag == doctest.SKIP:
                skip = skip or on
            elif on:
                flags |= flag
        want = ex.want   # a traceback stays in want; run_page derives exc_msg again
        reason = "doctest +SKIP" if skip else _skip_reason(ex.source)
        out.append(Example("doctest", group, ex.source, want, first_lineno + ex.lineno, flags,
                           reason))
    return out


def extract(text):
    """Examples of one page, in page order (setup blocks included, kind "setup")."""
    lines = text.splitlines()
    examples, pending_code = [], {}
    plain, plain_start = [], 0

    def flush_plain():
        if plain:
            examples.extend(_doctest_examples("\n".join(plain) + "\n", plain_start, "default"))
        plain.clear()

    i = 0
    while i < len(lines):
        m = DIRECTIVE_RE.match(lines[i])
        c = None if m else COMMENT_RE.match(lines[i])
        if c:
            # A reST comment (`.. note:` with one colon included): it and its indented
            # body are not rendered, so Sphinx never sees the examples in them.
            if not plain:
                plain_start = i + 1
            plain.append("")
            indent, i = len(c.group(1)), i + 1
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > indent):
                plain.append("")
                i += 1
            continue
        if not m:
            if not plain:
                plain_start = i + 1
            plain.append(lines[i])
            i += 1
            continue
        # A directive ends the plain text before it; keep line numbers by padding.
        plain.append("")
        indent, kind, arg = len(m.group(1)), m.group(2), m.group(3).strip()
        options, body, body_start, end = _block(lines, i + 1, indent)
        flush_plain()
        group = arg.split(",")[0].strip() if kind in ("testsetup", "testcode", "testoutput",
                                                      "doctest", "testcleanup") and arg else "default"
        flags, skip = _option_flags(options.get("options", ""))
        skip = skip or "skipif" in options
        lineno = body_start + 1
        if kind == "testsetup":
            examples.append(Example("setup", group, body + "\n", "", lineno))
        elif kind == "testcode":
            ex = Example("testcode", group, body + "\n", "", lineno, flags,
                         "doctest +SKIP" if skip else _skip_reason(body))
            examples.append(ex)
            pending_code[group] = ex
        elif kind == "testoutput":
            ex = pending_code.pop(group, None)
            if ex is not None:
                ex.want = body + "\n" if body else ""
                ex.flags |= flags
                if skip and not ex.skip_reason:
                    ex.skip_reason = "doctest +SKIP"
        elif kind == "doctest":
            examples.extend(_doctest_examples(body + "\n", lineno - 1, group, flags, skip))
        # code-block, literalinclude, testcleanup: not examples
        plain_start = end + 1
        i = end
    flush_plain()
    return examples


# --------------------------------------------------------------------------- comparison

def _want_regex(want):
    """A regex matching `want` with numbers captured, `...` as anything, blanks optional."""
    parts, pos = [], 0
    pattern = re.compile(NUMBER + r"|\.\.\.|\s+")
    for m in pattern.finditer(want):
        parts.append(re.escape(want[pos:m.start()]))
        tok = m.group(0)
        if tok == "...":
            parts.append(r"(?:.*?)")
        elif tok.isspace():
            parts.append(r"\s*")
        else:
            parts.append(r"\s*(" + NUMBER + r")")
        pos = m.end()
    parts.append(re.escape(want[pos:]))
    return re.compile(r"\s*" + "".join(parts) + r"\s*\Z", re.DOTALL)


def _numbers_close(a, b, rel=1e-5, absolute=1e-8):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if x != x or y != y:
        return x != x and y != y
    if x in (float("inf"), float("-inf")) or y in (float("inf"), float("-inf")):
        return x == y
    return abs(x - y) <= absolute + rel * max(abs(x), abs(y))


def numbers_match(want, got):
    """`got` equals `want` up to blanks, `...` and numbers within 1e-5 relative."""
    got = NUMPY_SCALAR_RE.sub(r"\1", got)
    want_numbers = [m.group(0) for m in NUMBER_RE.finditer(want)]
    m = _want_regex(want).match(got)
    if not m:
        return False
    return all(_numbers_close(w, g) for w, g in zip(want_numbers, m.groups()))


EXCEPTION_LINE_RE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


def _exception_class(qualified):
    """The exception class a traceback's last line names (`theon.ShapeError`), or None."""
    import builtins
    module, _, name = qualified.rpartition(".")
    owner = sys.modules.get(module) if module else builtins
    cls = getattr(owner, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def exception_is_a(want, got):
    """`got` (an exception's last line) names a subclass of the exception `want` names:
    a program's `except ValueError` catches Theon's ShapeError(ValueError) as Theano's."""
    w, g = EXCEPTION_LINE_RE.match(want.strip()), EXCEPTION_LINE_RE.match(got.strip())
    cls = _exception_class(g.group(1)) if w and g else None
    expected = w.group(1).rsplit(".", 1)[-1] if w else None
    return cls is not None and any(k.__name__ == expected for k in cls.__mro__)


class TolerantChecker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        if super().check_output(want, got, optionflags):
            return True
        if not want.strip() or not got.strip():
            return False
        return numbers_match(want, got) or exception_is_a(want, got)


# --------------------------------------------------------------------------- running one page

ASSIGNED_RE = re.compile(r"^\s*([A-Za-z_][\w, ]*?)\s*=(?!=)", re.M)
DEF_RE = re.compile(r"^\s*(?:def|class)\s+(\w+)|^\s*(?:from\s+\S+\s+)?import\s+(.+)$", re.M)


def _defined_names(source):
    names = set()
    for m in ASSIGNED_RE.finditer(source):
        names.update(n.strip() for n in m.group(1).split(",") if n.strip())
    for m in DEF_RE.finditer(source):
        if m.group(1):
            names.add(m.group(1))
        elif m.group(2):
            for part in m.group(2).split(","):
                part = part.strip().split(" as ")[-1].strip()
                names.add(part.split(".")[0])
    return names


_COMPILE_MODE = ["single"]


def _compile(source, filename, mode, flags=0, dont_inherit=False):
    return compile(source, filename, _COMPILE_MODE[0], flags, dont_inherit)


def run_page(path):
    """Runs one page here (in the current interpreter); returns its result dict."""
    import warnings
    warnings.simplefilter("ignore")
    doctest.compile = _compile   # doctest looks `compile` up in its module first
    with open(path, encoding="utf-8") as f:
        examples = extract(f.read())
    groups = []
    for ex in examples:
        if ex.group not in groups:
            groups.append(ex.group)
    checker = TolerantChecker()
    results = [None] * len(examples)
    # `.. testsetup:: *` runs before every group's own setup, as in Sphinx.
    everywhere = [(i, ex) for i, ex in enumerate(examples) if ex.group == "*"]
    for i, ex in everywhere:
        results[i] = dict(status="passed")
    for group in [g for g in groups if g != "*"]:
        members = everywhere + [(i, ex) for i, ex in enumerate(examples) if ex.group == group]
        globs = {}   # as Sphinx: no __name__ of its own, so `if __name__ == "__main__"` is false
        # Sphinx runs a group's setup code first, wherever it is on the page.
        ordered = [p for p in members if p[1].kind == "setup"] + \
                  [p for p in members if p[1].kind != "setup"]
        failed_defs = []   # (lineno, names it defines, its root) of failed examples
        for i, ex in ordered:
            if ex.skip_reason:
                results[i] = dict(status="skipped", reason=ex.skip_reason)
                continue
            exc = doctest.DocTestParser._EXCEPTION_RE.match(ex.want)
            dt_ex = doctest.Example(ex.source, ex.want, exc.group("msg") if exc else None,
                                    lineno=ex.lineno - 1)
            # As Sphinx: a testcode block is a whole program ("exec": only what it prints
            # counts), a >>> example is one interactive statement ("single").
            _COMPILE_MODE[0] = "single" if ex.kind == "doctest" else "exec"
            test = doctest.DocTest([dt_ex], globs, "%s[%s]" % (os.path.basename(path), group),
                                   path, ex.lineno - 1, None)
            report = []
            runner = doctest.DocTestRunner(checker=checker, optionflags=BASE_FLAGS | ex.flags)
            runner.run(test, out=report.append, clear_globs=False)
            globs = test.globs
            if ex.kind == "setup":
                if runner.failures:
                    results[i] = dict(status="setup-failed", detail=_summary("".join(report)))
                elif results[i] is None:
                    results[i] = dict(status="passed")
                continue
            if not runner.failures:
                results[i] = dict(status="passed")
                continue
            detail = _summary("".join(report))
            # The earlier failure this one follows from: the latest that was to define a
            # name this example uses, else (a NameError) the latest; then that one's root.
            used = set(re.findall(r"[A-Za-z_]\w*", ex.source))
            cause = next((f for f in reversed(failed_defs) if f[1] & used), None)
            if cause is None and "NameError" in detail and failed_defs:
                cause = failed_defs[-1]
            root = (cause[2] or cause[0]) if cause else None
            results[i] = dict(status="failed", detail=detail, root=root,
                              report="".join(report))
            failed_defs.append((ex.lineno, _defined_names(ex.source), root))
    counted = [(ex, r) for ex, r in zip(examples, results) if ex.kind != "setup"]
    return dict(path=path, examples=[dict(ex.to_dict(), **(r or {"status": "failed",
                                                                "detail": "not run"}))
                                     for ex, r in counted],
                setup_failures=[dict(lineno=ex.lineno, **r) for ex, r in zip(examples, results)
                                if ex.kind == "setup" and r and r["status"] != "passed"])


def _summary(report):
    """The line that says what went wrong in a doctest failure report."""
    lines = [ln for ln in report.splitlines() if ln.strip()]
    for j, ln in enumerate(lines):
        if ln.startswith("Exception raised:"):
            exc = [x.strip() for x in lines[j + 1:] if not x.startswith("    ")
                   or re.match(r"^\s+\w+(\.\w+)*(Error|Exception|Warning)\b", x)]
            tail = [x.strip() for x in lines[j + 1:]]
            for x in reversed(tail):
                if re.match(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b", x):
                    return x[:300]
            return (exc[-1] if exc else tail[-1])[:300]
    for j, ln in enumerate(lines):
        if ln.startswith("Got"):
            got = " ".join(x.strip() for x in lines[j + 1:j + 4])
            return ("output differs; got: " + got)[:300]
    return (lines[-1] if lines else "failed")[:300]


# --------------------------------------------------------------------------- driver

def _page_in_subprocess(path, args):
    env = dict(os.environ)
    build_python = os.path.join(os.path.abspath(args.build), "python")
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(ROOT, "python", "compat"), build_python] +
        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("THEON_CACHE_DIR", os.path.join(tempfile.gettempdir(), "theon-doc-examples"))
    env.setdefault("OMP_NUM_THREADS", "2")
    with tempfile.TemporaryDirectory() as scratch:
        out_json = os.path.join(scratch, "result.json")
        cmd = [sys.executable, os.path.abspath(__file__), "--one", os.path.abspath(path),
               "--one-out", out_json]
        try:
            proc = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True,
                                  timeout=args.timeout)
            crashed = None if proc.returncode == 0 else (
                "interpreter exited with %d: %s" % (proc.returncode, proc.stderr.strip()[-300:]))
        except subprocess.TimeoutExpired:
            crashed = "timed out after %d s" % args.timeout
        if os.path.exists(out_json):
            with open(out_json) as f:
                return json.load(f)
    # The page did not finish: every example it did not report counts as failed.
    with open(path, encoding="utf-8") as f:
        examples = [ex for ex in extract(f.read()) if ex.kind != "setup"]
    return dict(path=path, crashed=crashed, examples=[
        dict(ex.to_dict(), status="skipped" if ex.skip_reason else "failed",
             reason=ex.skip_reason, detail=crashed) for ex in examples], setup_failures=[])


def _pages(doc_dir, only):
    pages = []
    for dirpath, _, files in os.walk(doc_dir):
        for name in files:
            if name.endswith(".txt"):
                pages.append(os.path.join(dirpath, name))
    pages.sort()
    if only:
        pages = [p for p in pages if any(fnmatch.fnmatch(os.path.relpath(p, doc_dir), pat)
                                         or pat in p for pat in only)]
    return pages


def _counts(result):
    c = dict(examples=0, passed=0, failed=0, skipped=0)
    for ex in result["examples"]:
        c["examples"] += 1
        c[ex["status"]] = c.get(ex["status"], 0) + 1
    return c


def _table(results, doc_dir, before=None):
    rows = []
    head = "%-42s %8s %7s %7s %8s" % ("page", "examples", "passed", "failed", "skipped")
    if before:
        head += "   before (passed/failed)"
    print(head)
    print("-" * len(head))
    total = dict(examples=0, passed=0, failed=0, skipped=0)
    for r in results:
        rel = os.path.relpath(r["path"], doc_dir)
        c = _counts(r)
        for k in total:
            total[k] += c.get(k, 0)
        line = "%-42s %8d %7d %7d %8d" % (rel, c["examples"], c["passed"], c["failed"],
                                          c["skipped"])
        if before:
            b = before.get(rel)
            line += "   %s" % ("%d/%d" % (b["passed"], b["failed"]) if b else "-")
        rows.append(line)
        print(line)
    print("-" * len(head))
    print("%-42s %8d %7d %7d %8d" % ("total", total["examples"], total["passed"],
                                     total["failed"], total["skipped"]))
    run = total["examples"] - total["skipped"]
    if run:
        print("passed: %d of %d run examples (%.1f %%); %d skipped" % (
            total["passed"], run, 100.0 * total["passed"] / run, total["skipped"]))
    return total


def _list_failures(results, doc_dir):
    for r in results:
        rel = os.path.relpath(r["path"], doc_dir)
        if r.get("crashed"):
            print("%s: page did not finish: %s" % (rel, r["crashed"]))
        for s in r.get("setup_failures", []):
            print("%s:%d: setup failed: %s" % (rel, s["lineno"], s.get("detail")))
        for ex in r["examples"]:
            if ex["status"] == "failed":
                root = " (after the failure at line %d)" % ex["root"] if ex.get("root") else ""
                first = ex["source"].strip().splitlines()[0][:70]
                print("%s:%d%s: %s\n    %s" % (rel, ex["lineno"], root, first, ex.get("detail")))
            elif ex["status"] == "skipped":
                print("%s:%d: skipped (%s)" % (rel, ex["lineno"], ex.get("reason")))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("doc_dir", nargs="?")
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build directory whose python/ holds the theon package")
    p.add_argument("--only", action="append", default=[], help="page glob (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="list failures and skips")
    p.add_argument("--json", help="write the per-example results here")
    p.add_argument("--compare", help="a --json file of an earlier run, shown as 'before'")
    p.add_argument("--timeout", type=int, default=300, help="seconds per page")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--one-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        result = run_page(args.one)
        with open(args.one_out, "w") as f:
            json.dump(result, f)
        return 0
    if not args.doc_dir:
        p.error("DOC_DIR is required")
    results = []
    for page in _pages(args.doc_dir, args.only):
        rel = os.path.relpath(page, args.doc_dir)
        if any(fnmatch.fnmatch(rel, pat) for pat in SKIPPED_PAGES):
            with open(page, encoding="utf-8") as f:
                exs = [ex for ex in extract(f.read()) if ex.kind != "setup"]
            results.append(dict(path=page, examples=[
                dict(ex.to_dict(), status="skipped", reason="page needs a GPU or sparse")
                for ex in exs], setup_failures=[]))
            continue
        results.append(_page_in_subprocess(page, args))
    before = None
    if args.compare:
        with open(args.compare) as f:
            old = json.load(f)
        before = {os.path.relpath(r["path"], args.doc_dir): _counts(r) for r in old}
    if args.verbose:
        _list_failures(results, args.doc_dir)
        print()
    _table(results, args.doc_dir, before)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
