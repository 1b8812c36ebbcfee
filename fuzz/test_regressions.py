"""Replay every committed fuzz input (the seed corpora, fuzz/regressions/, fuzz/grown/) through
the targets' ``check`` as plain pytest cases: a finding, once fixed, stays fixed.

    pytest fuzz/test_regressions.py          (ci/harden and ci/asan run it)

fuzz/regressions/<target>/<name> holds inputs that once failed (see docs/HARDENING.md for the
story of each).
"""
import importlib
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TARGETS = {
    "match_hostname": "fuzz_match_hostname",
    "cert_time": "fuzz_cert_time",
    "pem_der": "fuzz_pem_der",
    "pem_bundle": "fuzz_pem_bundle",
    "decode_cert": "fuzz_decode_cert",
    "cert_match_hostname": "fuzz_cert_match_hostname",
    "tls_client": "fuzz_tls_client",
    "tls_server": "fuzz_tls_server",
    "verify_keys": "fuzz_verify_keys",
}


def inputs():
    for target in sorted(TARGETS):
        for kind in ("regressions", "corpus"):
            d = os.path.join(HERE, kind, target)
            if os.path.isdir(d):
                for name in sorted(os.listdir(d)):
                    yield pytest.param(target, os.path.join(d, name), id=f"{target}/{kind}/{name}")


def target_module(target):
    return importlib.import_module(TARGETS[target])


@pytest.mark.parametrize("target,path", list(inputs()))
def test_replay(target, path):
    mod = target_module(target)
    with open(path, "rb") as f:
        mod.check(f.read())


def _grown_targets():
    return [t for t in sorted(TARGETS) if os.path.isdir(os.path.join(HERE, "grown", t))]


@pytest.mark.parametrize("target", _grown_targets())
def test_replay_grown_corpus(target):
    """fuzz/grown/<target>/: the inputs the 30-minute sanitizer runs kept (merged, so each adds
    coverage). Hundreds per target, so one test per target that names the input that fails."""
    mod = target_module(target)
    d = os.path.join(HERE, "grown", target)
    names = sorted(os.listdir(d))
    assert names, f"{d} is empty"
    for name in names:
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        try:
            mod.check(data)
        except BaseException as exc:
            raise AssertionError(f"fuzz/grown/{target}/{name}: {exc!r}") from exc


# --- known, unfixed divergences (reported; xfail(strict) so a fix shows up as XPASS) -----------

def _known_inputs():
    for target in sorted(TARGETS):
        d = os.path.join(HERE, "known", target)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                yield pytest.param(target, os.path.join(d, name), id=f"{target}/known/{name}")


KNOWN = list(_known_inputs())

if KNOWN:   # fuzz/known/<target>/: divergences found but not fixed yet (none at the moment)
    @pytest.mark.xfail(strict=True, reason="known divergence, see docs/HARDENING.md (findings)")
    @pytest.mark.parametrize("target,path", KNOWN)
    def test_known_divergence_replay(target, path, monkeypatch):
        mod = target_module(target)
        monkeypatch.setattr(mod, "STRICT", True, raising=False)
        with open(path, "rb") as f:
            mod.check(f.read())


def _pem_variants():
    import ssl

    corpus = os.path.join(HERE, "corpus", "decode_cert")
    with open(os.path.join(corpus, sorted(os.listdir(corpus))[0]), "rb") as f:
        der = f.read()
    pem = ssl.DER_cert_to_PEM_cert(der)
    begin = "-----BEGIN CERTIFICATE-----\n"
    return {
        "control char after BEGIN": pem.replace(begin, begin[:-1] + "\x0e\n", 1),
        "byte 0xff after BEGIN": pem.replace(begin, begin[:-1] + "\udcff\n", 1),
        "UTF-8 BOM before BEGIN": "\ufeff" + pem,
        "junk after END": pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE-----xyz"),
    }


@pytest.mark.parametrize("variant", ["control char after BEGIN", "byte 0xff after BEGIN",
                                     "UTF-8 BOM before BEGIN", "junk after END"])
def test_from_pem_reads_lines_like_openssl(variant, tmp_path):
    """Certificate.from_pem must accept exactly what OpenSSL's PEM reader
    (ssl._ssl._test_decode_cert) accepts, with the same result."""
    import ssl

    import certcore

    text = _pem_variants()[variant]
    path = tmp_path / "c.pem"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    try:
        theirs = ("ok", ssl._ssl._test_decode_cert(str(path)))
    except (ssl.SSLError, ValueError) as exc:
        theirs = ("error", type(exc).__name__)
    try:
        mine = ("ok", certcore.Certificate.from_pem(text.encode("utf-8", "surrogateescape")).to_dict())
    except ValueError:
        mine = ("error", "ValueError")
    assert (mine[0], mine[1] if mine[0] == "ok" else None) == (theirs[0], theirs[1] if theirs[0] == "ok" else None)


def test_main_gives_libfuzzer_a_command_it_can_rerun(monkeypatch, tmp_path):
    """libFuzzer's -merge=1 re-runs argv[0] through the shell: it must start this interpreter on
    the target script (the bare script name once merged nothing, with exit status 0)."""
    import shlex
    import subprocess
    import types

    import _common

    seen = {}
    fake = types.SimpleNamespace(instrument_func=lambda f: None,
                                 Setup=lambda argv, check: seen.update(argv=argv, check=check),
                                 Fuzz=lambda: None)
    monkeypatch.setitem(sys.modules, "atheris", fake)
    script = tmp_path / "fuzz_probe.py"
    script.write_text("import sys; print('ran', sys.argv[1:])\n")
    monkeypatch.setattr(sys, "argv", ["fuzz_probe.py", "-merge=1", "grown", "new"])
    monkeypatch.chdir(tmp_path)

    def check(data):
        pass

    _common.main(check)
    command, *rest = seen["argv"]
    assert rest == ["-merge=1", "grown", "new"] and seen["check"] is check
    assert shlex.split(command) == [sys.executable, str(script)]
    out = subprocess.run(command + " -merge_inner=1", shell=True, cwd="/", capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "ran ['-merge_inner=1']\n", out
