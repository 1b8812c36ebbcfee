"""The build: a clear message without OpenSSL 3, and the installed package's shape."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import certcore

SOURCE = Path(__file__).resolve().parents[1]


def copy_source(dst):
    for name in ["setup.py", "pyproject.toml", "README.md"]:
        shutil.copy(SOURCE / name, dst / name)
    for folder in ["_certcore", "include", "certcore"]:
        shutil.copytree(SOURCE / folder, dst / folder, ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__"))


def test_old_openssl_gets_one_clear_message(tmp_path):
    """An OpenSSL older than 3.0 (here: fake 1.x headers in OPENSSL_DIR) stops the build
    before any Cython module is compiled, with a message naming what to install."""
    src = tmp_path / "src"
    src.mkdir()
    copy_source(src)
    fake = tmp_path / "openssl-1.1"
    (fake / "include" / "openssl").mkdir(parents=True)
    (fake / "include" / "openssl" / "opensslv.h").write_text("#define OPENSSL_VERSION_MAJOR 1\n")
    (fake / "include" / "openssl" / "ssl.h").write_text("\n")
    env = dict(os.environ, OPENSSL_DIR=str(fake))
    proc = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=src, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode != 0
    assert "certcore needs the OpenSSL 3 development files" in proc.stderr
    assert "apt-get install libssl-dev" in proc.stderr
    assert "needs OpenSSL 3.0 or newer" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list(src.glob("_certcore/*.so")), "nothing may be compiled after a failed probe"


def test_compiled_modules_no_python_fallback():
    import _certcore.hostname
    import _certcore.paths

    for module in (_certcore.hostname, _certcore.paths):
        assert module.__file__.endswith((".so", ".pyd")), module.__file__
    assert type(certcore.match_hostname).__name__ == "cython_function_or_method"
    assert certcore.match_hostname is _certcore.hostname.match_hostname


def test_typing_files_installed():
    import _certcore

    assert (Path(certcore.__file__).parent / "py.typed").exists()
    pkg = Path(_certcore.__file__).parent
    assert (pkg / "py.typed").exists()
    # every compiled module ships its stub
    for module in pkg.glob("*.pyx") or ():
        assert module.with_suffix(".pyi").exists(), module
    compiled = {p.name.split(".")[0] for p in pkg.iterdir() if p.suffix in (".so", ".pyd")}
    assert compiled, "no compiled modules found"
    for name in compiled:
        assert (pkg / f"{name}.pyi").exists(), name


def test_get_include_has_the_c_api():
    include = Path(certcore.get_include())
    assert (include / "certcore.h").is_file()
    assert (include / "certcore_capi.pxd").is_file()
