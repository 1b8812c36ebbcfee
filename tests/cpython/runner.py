"""Run the interpreter's own ``Lib/test/test_ssl.py``, unmodified, against certcore.

    python tests/cpython/runner.py [--mode MODE ...] [--exclusions FILE] [--report FILE] [-v]

Modes (default: certcore client-certcore server-certcore):
  certcore         test_ssl's ``ssl`` is certcore (see sslshim.py): certcore at both ends.
  client-certcore  the test's ``ssl`` is certcore; every server-side socket/SSLObject is the
                   stdlib's (made by a twin context, see sslshim.py).
  server-certcore  the reverse: the test's ``ssl`` is the stdlib's, every server side certcore's.
  stdlib, stdlib-twin  controls: the stdlib unchanged, and the stdlib at both ends through the
                   twin machinery of the mixed modes (both must pass: the harness adds nothing).

The mixed modes run the test classes in which two TLS ends talk (MIXED_CLASSES); the other
classes test one object at a time and would repeat the certcore (or stdlib) run.

Each mode runs in a child process with the interpreter's unittest, test.support configured as
regrtest configures it without ``-u``: no resources (so no network tests), quiet, in a temporary
working directory. A test that crashes the child or runs longer than ``--timeout`` seconds is
recorded as an error and the child is restarted after it. Tests listed in ``exclusions.txt`` for
this Python are not run (they reach stdlib-private internals; each line says why).

Prints one line per mode -- passed / failed / errors / skipped / excluded and the wall time --
then every failure and error with its one-line exception, and the names of the running ``ssl``
that certcore lacks. Exits 1 when a non-excluded test failed or errored.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODES = ["certcore", "client-certcore", "server-certcore"]
ALL_MODES = DEFAULT_MODES + ["stdlib", "stdlib-twin"]
MIXED_CLASSES = {"SimpleBackgroundTests", "ThreadedTests", "TestPostHandshakeAuth", "TestSSLDebug",
                 "TestPreHandshakeClose", "SSLObjectTests"}
PYVER = "%d.%d" % sys.version_info[:2]
MAX_RESTARTS = 15


# --- exclusions -------------------------------------------------------------------------------

def _version_matches(spec, version=PYVER):
    def key(v):
        return tuple(int(p) for p in v.split("."))
    for part in spec.split(","):
        part = part.strip()
        if part in ("*", "all"):
            return True
        if part.endswith("+"):
            if key(version) >= key(part[:-1]):
                return True
        elif "-" in part:
            lo, hi = part.split("-")
            if key(lo) <= key(version) <= key(hi):
                return True
        elif key(part) == key(version):
            return True
    return False


def load_exclusions(path, version=PYVER):
    """{test id ("Class.method"): reason} for this Python from ``path``. A line is
    ``Class.method  VERSIONS  reason``; VERSIONS is ``*``, ``3.10+``, ``3.9-3.11`` or a comma
    list of these; ``#`` starts a comment line."""
    out = {}
    if not path:
        return out
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) != 3 or "." not in parts[0]:
                raise SystemExit(f"{path}:{lineno}: expected 'Class.method VERSIONS reason'")
            test_id, versions, reason = parts
            if _version_matches(versions, version):
                out[test_id] = reason
    return out


def short_id(test):
    parts = test.id().split(".")
    return ".".join(parts[2:]) if parts[:2] == ["test", "test_ssl"] else test.id()


# --- the child: one mode, in this process -------------------------------------------------------

class _Recorder:
    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")

    def write(self, **record):
        self.f.write(json.dumps(record) + "\n")
        self.f.flush()


def _one_line(err):
    exc_type, exc, _ = err
    text = "".join(traceback.format_exception_only(exc_type, exc)).strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else exc_type.__name__
    # assertEqual & co. put the useful part on later lines; keep a short tail.
    if len(lines) > 1:
        first += " | " + " | ".join(ln.strip() for ln in lines[1:4])
    return first if len(first) <= 400 else first[:397] + "..."


def run_child(args):
    import faulthandler
    import unittest

    sys.path.insert(0, HERE)
    import sslshim

    rec = _Recorder(args.results)
    shim = sslshim.install(args.child)

    from test import support
    support.use_resources = []      # regrtest without -u: no network, no cpu, no walltime
    support.verbose = 0
    support.failfast = False

    cwd = tempfile.mkdtemp(prefix="test_ssl-")
    os.chdir(cwd)
    import test.test_ssl as test_ssl
    import certcore
    client_is_certcore = sslshim.MODES[args.child][0] == "certcore"
    if test_ssl.ssl is not shim or issubclass(shim.SSLContext, certcore.SSLContext) != client_is_certcore:
        raise SystemExit(f"test_ssl's ssl is not the {args.child} one")
    sslshim.CURRENT_TEST[0] = "<setup>"

    exclusions = load_exclusions(args.exclusions)
    skip = set(args.skip or ())
    mixed = args.child not in ("certcore", "stdlib")

    def flatten(suite):
        for t in suite:
            if isinstance(t, unittest.TestSuite):
                yield from flatten(t)
            else:
                yield t

    selected = []
    for t in flatten(unittest.defaultTestLoader.loadTestsFromModule(test_ssl)):
        tid = short_id(t)
        cls = tid.split(".")[0]
        if mixed and cls not in MIXED_CLASSES:
            continue
        if args.only and not any(tid == o or tid.startswith(o + ".") for o in args.only):
            continue
        if tid in skip:
            continue
        if tid in exclusions:
            rec.write(id=tid, outcome="excluded", detail=exclusions[tid])
            continue
        selected.append(t)

    class Result(unittest.TestResult):
        def startTest(self, test):
            super().startTest(test)
            self.current = short_id(test)
            self.outcome, self.detail, self.tb = "passed", "", ""
            self.sub_failures = 0
            sslshim.CURRENT_TEST[0] = self.current
            self.stats0 = dict(sslshim.MIXED_STATS)
            rec.write(start=self.current)
            faulthandler.dump_traceback_later(args.timeout, exit=True)
            self.t0 = time.monotonic()

        def _set(self, outcome, err=None, detail=""):
            rank = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
            if rank[outcome] < rank[self.outcome]:
                return
            self.outcome = outcome
            if err is not None:
                self.detail = _one_line(err)
                self.tb = "".join(traceback.format_exception(*err))
            else:
                self.detail = detail

        def stopTest(self, test):
            faulthandler.cancel_dump_traceback_later()
            if self.current is None:
                # 3.12+ skips a decorated test without startTest (addSkip wrote its record)
                return super().stopTest(test)
            sslshim.CURRENT_TEST[0] = "<between tests>"
            used = {k: sslshim.MIXED_STATS[k] - self.stats0[k] for k in self.stats0}
            rec.write(id=self.current, outcome=self.outcome, detail=self.detail, tb=self.tb,
                      seconds=round(time.monotonic() - self.t0, 2), mixed=used)
            self.current = None
            super().stopTest(test)

        def addSuccess(self, test):
            super().addSuccess(test)

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._set("failed", err)

        def addError(self, test, err):
            super().addError(test, err)
            if getattr(self, "current", None) is None:
                # setUpModule / setUpClass / tearDownClass: not inside a test
                rec.write(id=str(test), outcome="error", detail=_one_line(err),
                          tb="".join(traceback.format_exception(*err)), seconds=0, mixed={})
            else:
                self._set("error", err)

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            if getattr(self, "current", None) is None:
                # a skipped class (setUpClass raised SkipTest), or on 3.12+ a skip decorator
                rec.write(id=short_id(test), outcome="skipped", detail=reason, tb="", seconds=0, mixed={})
            else:
                self._set("skipped", detail=reason)

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            self._set("failed", detail="unexpected success")

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                # Report the first failing subtest and how many failed.
                self.sub_failures = getattr(self, "sub_failures", 0) + 1
                kind = "failed" if issubclass(err[0], test.failureException) else "error"
                if self.sub_failures == 1:
                    self._set(kind, err)
                    self.first_sub = f"{subtest._subDescription()} {self.detail}"
                    self.detail = self.first_sub
                else:
                    self.outcome = "error" if "error" in (kind, self.outcome) else "failed"
                    self.detail = f"{self.sub_failures} subtests failed, first: {self.first_sub}"

    result = Result()
    result.current = None
    suite = unittest.TestSuite(selected)
    try:
        suite.run(result)
    finally:
        faulthandler.cancel_dump_traceback_later()
    rec.write(done=True, fallback_reads={k: sorted(v) for k, v in sslshim.FALLBACK_READS.items()},
              names=sslshim.names_report())
    rec.f.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# --- the parent: one child per mode, restarted after a crash or hang ----------------------------

def _where(out):
    """Where a dead child was: the innermost test_ssl.py frame of each thread faulthandler dumped
    (most recent call first), else the last lines of its output."""
    frames, in_block = [], False
    for ln in out.splitlines():
        if ln.startswith(("Thread 0x", "Current thread 0x")):
            in_block = True
        elif in_block and "test_ssl.py" in ln:
            frames.append(os.path.basename(ln.strip().replace('File "', "").replace('", line ', ":")))
            in_block = False
    if frames:
        return "; ".join(frames[:4])
    return " | ".join(ln.strip() for ln in out.strip().splitlines()[-3:])


def run_mode(mode, args, log):
    results = tempfile.NamedTemporaryFile(prefix=f"test_ssl-{mode}-", suffix=".jsonl", delete=False).name
    done_ids = {}
    crashed = []
    final = None
    t0 = time.monotonic()
    for _attempt in range(MAX_RESTARTS + 1):
        skip_file = results + ".skip"
        with open(skip_file, "w") as f:
            f.write("\n".join(list(done_ids) + crashed))
        cmd = [sys.executable, os.path.abspath(__file__), "--child", mode, "--results", results,
               "--skip-file", skip_file, "--timeout", str(args.timeout), "--exclusions", args.exclusions]
        for o in args.only or ():
            cmd += ["--only", o]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = proc.stdout.decode("utf-8", "replace")
        log.write(f"==== {mode}: child exit {proc.returncode}\n{out}\n")
        started = None
        with open(results, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if "start" in r:
                    started = r["start"]
                elif "done" in r:
                    final = r
                else:
                    done_ids[r["id"]] = r
                    if r["id"] == started:
                        started = None
        if final is not None:
            break
        tail = _where(out)
        what = "hung (timeout %ss)" % args.timeout if "Timeout (" in out else f"crashed (exit {proc.returncode})"
        if started is None:
            done_ids[f"<{mode} child>"] = dict(id=f"<{mode} child>", outcome="error",
                                               detail=f"child {what} outside a test: {tail}", tb=out)
            break
        done_ids[started] = dict(id=started, outcome="error", detail=f"{what}: {tail}", tb=out,
                                 seconds=args.timeout, mixed={})
        crashed.append(started)
    os.unlink(results)
    if os.path.exists(results + ".skip"):
        os.unlink(results + ".skip")
    return list(done_ids.values()), final or {}, time.monotonic() - t0


def summarize(mode, records, seconds):
    counts = {k: 0 for k in ("passed", "failed", "error", "skipped", "excluded")}
    for r in records:
        counts[r["outcome"]] += 1
    line = (f"python {PYVER} {mode}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['error']} errors, {counts['skipped']} skipped, {counts['excluded']} excluded "
            f"in {seconds:.1f}s")
    if mode not in ("certcore", "stdlib"):
        both = sum(1 for r in records if r.get("mixed", {}).get("server_twin") and r["mixed"].get("client"))
        ran = counts["passed"] + counts["failed"] + counts["error"]
        line += f" ({both} of {ran} run tests had both implementations talking)"
    return counts, line


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", action="append", choices=ALL_MODES,
                    help="mode to run (repeatable); default: " + " ".join(DEFAULT_MODES))
    ap.add_argument("--exclusions", default=os.path.join(HERE, "exclusions.txt"),
                    help="exclusion list (default: tests/cpython/exclusions.txt); '' for none")
    ap.add_argument("--only", action="append", help="run only this Class or Class.method (repeatable)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds one test may take (default 120)")
    ap.add_argument("-j", "--jobs", type=int, default=0,
                    help="modes run at once (default: all of them)")
    ap.add_argument("--report", help="write every record (with tracebacks) as JSON here")
    ap.add_argument("--log", help="write the children's output here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failures")
    ap.add_argument("--child", choices=ALL_MODES, help=argparse.SUPPRESS)
    ap.add_argument("--results", help=argparse.SUPPRESS)
    ap.add_argument("--skip-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.skip = open(args.skip_file).read().split() if args.skip_file else []
        run_child(args)
        return 0

    modes = args.mode or DEFAULT_MODES
    sys.path.insert(0, HERE)
    import certcore
    print(f"python {PYVER} ({sys.executable}): certcore from {os.path.dirname(certcore.__file__)}",
          flush=True)
    log = open(args.log, "w") if args.log else open(os.devnull, "w")
    lines, bad, report = [], [], {}
    final_any = {}
    # The children mostly wait (on sockets, timeouts): the modes run side by side.
    outcomes = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs or len(modes)) as pool:
        futures = {mode: pool.submit(run_mode, mode, args, log) for mode in modes}
        for mode in modes:
            outcomes[mode] = futures[mode].result()
    for mode in modes:
        records, final, seconds = outcomes[mode]
        counts, line = summarize(mode, records, seconds)
        print(line, flush=True)
        lines.append(line)
        report[mode] = {"counts": counts, "seconds": round(seconds, 1), "records": records,
                        "fallback_reads": final.get("fallback_reads", {})}
        if final.get("names"):
            final_any = final
        for r in sorted(records, key=lambda r: str(r["id"])):
            if r["outcome"] in ("failed", "error"):
                bad.append((mode, r))
    if bad:
        print("\nfailures and errors:")
        for mode, r in bad:
            print(f"  [{mode}] {r['outcome'].upper()} {r['id']}: {r['detail']}")
            if args.verbose and r.get("tb"):
                print("    " + r["tb"].rstrip().replace("\n", "\n    "))
    names = final_any.get("names", {})
    if names:
        missing = names.get("missing_public", [])
        print(f"\nssl names certcore lacks ({len(missing)}): {' '.join(missing)}")
        reads = report.get("certcore", {}).get("fallback_reads", {})
        if reads:
            used = sorted(reads)
            print(f"fallback names test_ssl read in certcore mode ({len(used)}): {' '.join(used)}")
    if args.report:
        report["names"] = names
        with open(args.report, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    log.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
