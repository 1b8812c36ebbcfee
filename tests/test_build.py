"""The build: a clear message without OpenSSL 3, the installed package's shape, and `python -m
pytest` in a checkout that was never built in place (helpers/checkout.py)."""
import os
import re
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


def unbuilt_checkout(dst):
    """A copy of this checkout as `pip install .` leaves it: sources, tests, no compiled module."""
    dst.mkdir()
    copy_source(dst)
    shutil.copytree(SOURCE / "tests", dst / "tests",
                    ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", "*.so"))
    return dst


def python_m_pytest(checkout, pythonpath, *python_flags, pytest_flags=()):
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "pytest", "-p", "no:cacheprovider", *pytest_flags,
         "--collect-only", "tests/test_time.py"],
        cwd=checkout, env=dict(os.environ, PYTHONPATH=pythonpath), capture_output=True, text=True,
        timeout=300,
    )


def pytest_without_certcore(dst):
    """A directory holding pytest and the distributions it requires, nothing else: on
    PYTHONPATH, with -S keeping site-packages away, it is an interpreter with no certcore."""
    from importlib import metadata

    from packaging.requirements import Requirement

    dst.mkdir()
    todo, seen = ["pytest"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        for line in dist.requires or ():
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
        tops = {f.parts[0] for f in dist.files or ()} - {"..", "__pycache__"}
        assert tops, f"{name}: no RECORD to find its files by"
        for top in tops:
            if not (dst / top).exists():
                (dst / top).symlink_to(dist.locate_file(top))
    return dst


def test_python_m_pytest_in_an_unbuilt_checkout_imports_the_installed_build(tmp_path):
    import _certcore

    installed = Path(_certcore.__file__).resolve().parents[1]   # site-packages, or an in-place build
    checkout = unbuilt_checkout(tmp_path / "checkout")
    proc = python_m_pytest(checkout, str(installed))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"_certcore: {installed / '_certcore'}" in proc.stdout
    assert re.search(r"^collected [1-9][0-9]* items", proc.stdout, re.M), proc.stdout


def test_python_m_pytest_in_an_unbuilt_checkout_without_a_build_stops_with_one_line(tmp_path):
    checkout = unbuilt_checkout(tmp_path / "checkout")
    bare = pytest_without_certcore(tmp_path / "site")
    # without site-packages, the plugins pyproject's addopts names are not there either
    proc = python_m_pytest(checkout, str(bare), "-S", pytest_flags=("-o", "addopts="))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "Exit: certcore is not built here: run `pip install .` and then `pytest`, "
        "or `python setup.py build_ext --inplace`"
    ]
