"""python -m certcore and the certcore console script, run for real in a subprocess."""
import os
import shutil
import subprocess
import sys

import certcore


def run(args, tmp_path, **env):
    # cwd is a scratch directory so that the checkout's source folders cannot shadow the
    # installed package.
    return subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=60, env=dict(os.environ, **env)
    )


def test_info_offline_job(tmp_path):
    bundle = tmp_path / "bundle.pem"
    der = bytes(range(256)) * 4
    bundle.write_text(certcore.DER_cert_to_PEM_cert(der) * 3 + "junk\n")
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    for name in ["0123abcd.0", "0123abcd.1", "deadbeef.r0", "README"]:
        (hashed / name).write_text("x")
    proc = run([sys.executable, "-m", "certcore"], tmp_path, SSL_CERT_FILE=str(bundle), SSL_CERT_DIR=str(hashed))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"certcore {certcore.__version__}" in out
    assert certcore.OPENSSL_VERSION in out
    assert f"cafile               {bundle}" in out
    assert "trust anchors: 3 in cafile, 2 in capath" in out


def test_info_missing_store(tmp_path):
    proc = run([sys.executable, "-m", "certcore", "info"], tmp_path,
               SSL_CERT_FILE=str(tmp_path / "none.pem"), SSL_CERT_DIR=str(tmp_path / "none"))
    assert proc.returncode == 0, proc.stderr
    assert "cafile               None" in proc.stdout
    assert "trust anchors: 0 in cafile, 0 in capath" in proc.stdout


def test_console_script(tmp_path):
    script = shutil.which("certcore", path=os.path.dirname(sys.executable))
    assert script, "the certcore console script is installed beside the interpreter"
    proc = run([script, "--help"], tmp_path)
    assert proc.returncode == 0
    assert "usage: certcore" in proc.stdout


def test_unknown_command_is_one_line_error(tmp_path):
    proc = run([sys.executable, "-m", "certcore", "frobnicate"], tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr
