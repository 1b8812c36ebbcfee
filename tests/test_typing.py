"""Types and docs: certcore's stubs against the runtime, mypy --strict on real programs, docstrings.

The mypy tests check programs against certcore as this interpreter imports it (a checkout on the
path, or the installed package), with --python-version of the running interpreter, so every
Python in the test matrix checks its own version branches of the stubs. mypy comes from
tests/requirements.txt; without it these tests fail rather than skip.
"""
import ast
import inspect
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

import certcore

ROOT = Path(__file__).resolve().parent.parent
TYPING_DIR = Path(__file__).resolve().parent / "typing"
STUB = Path(certcore.__file__).with_name("__init__.pyi")

# The README's examples use a few names they leave to the reader; declaring them (typed) is all the
# prelude does, so every line of the examples is checked as written.
README_PRELUDE = """\
import socket
import certcore
der_bytes: bytes
certs: list[certcore.Certificate]
hostnames: list[str]
leaf: certcore.Certificate
intermediate: certcore.Certificate
"""


def run_mypy(tmp_path, *files):
    """One `mypy --strict` run over `files`; returns (exit code, report)."""
    env = dict(os.environ)
    package_parent = str(Path(certcore.__file__).resolve().parent.parent)
    site_dirs = {str(Path(d).resolve()) for d in site.getsitepackages() + [site.getusersitepackages()]}
    if package_parent not in site_dirs:
        # A checkout: mypy finds installed packages itself but refuses site-packages on MYPYPATH.
        env["MYPYPATH"] = package_parent
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "--no-error-summary",
         "--python-version", version, "--cache-dir", str(tmp_path / "mypy-cache"),
         *(str(f) for f in files)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


def readme_examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def test_readme_examples_pass_mypy_strict(tmp_path):
    blocks = readme_examples()
    assert blocks, "README.md has no ```python examples"
    program = tmp_path / "readme_examples.py"
    program.write_text(README_PRELUDE + "\n".join(blocks), encoding="utf-8")
    code, report = run_mypy(tmp_path, program)
    assert code == 0, report


def accessed_names(path):
    """Every `certcore.<name>` the program at `path` mentions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "certcore"}


def test_uses_every_name_covers_all():
    # mypy only vouches for the names the program uses: it must use all of them.
    missing = set(certcore.__all__) - accessed_names(TYPING_DIR / "uses_every_name.py")
    assert not missing, sorted(missing)


def test_program_using_every_name_passes_mypy_strict(tmp_path):
    # The stubs themselves are checked in the same run (a stub error is an error here too). They
    # are checked as copies in a scratch tree: naming files inside site-packages on mypy's command
    # line would make it a source root, where every installed module "shadows" a library one.
    tree = tmp_path / "stubs"
    (tree / "certcore").mkdir(parents=True)
    (tree / "_certcore").mkdir()
    shutil.copy(STUB, tree / "certcore" / "__init__.pyi")
    (tree / "_certcore" / "__init__.pyi").write_text("")
    for stub in Path(certcore.__file__).resolve().parent.parent.glob("_certcore/*.pyi"):
        shutil.copy(stub, tree / "_certcore" / stub.name)
    stubs = sorted(tree.rglob("*.pyi"))
    code, report = run_mypy(tree, TYPING_DIR / "uses_every_name.py", *stubs)
    assert code == 0, report


def holds_here(test):
    """Evaluate a stub's `if` test: only `sys.version_info` comparisons, as typeshed writes them."""
    names = {node.id for node in ast.walk(test) if isinstance(node, ast.Name)}
    assert names <= {"sys"}, f"unexpected condition in the stub: {ast.unparse(test)}"
    return eval(compile(ast.Expression(test), str(STUB), "eval"), {"sys": sys})


def declared_names(body, active, found):
    """Collect the public names `body` declares into found[name] = declared for this Python."""
    for node in body:
        if isinstance(node, ast.If):
            here = holds_here(node.test)
            declared_names(node.body, active and here, found)
            declared_names(node.orelse, active and not here, found)
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.ImportFrom):
            # In a stub only `import x as x` re-exports; a plain import is private.
            names = [a.asname for a in node.names if a.asname == a.name]
        else:
            names = []
        for name in names:
            if not name.startswith("_"):
                found[name] = found.get(name, False) or active


def test_stub_declares_exactly_all():
    found = {}
    declared_names(ast.parse(STUB.read_text(encoding="utf-8")).body, True, found)
    declared_here = {name for name, active in found.items() if active}
    assert sorted(set(certcore.__all__) - declared_here) == []
    assert sorted(declared_here - set(certcore.__all__)) == []
    # Every version-conditional declaration is a name certcore has on some Python.
    for name in set(found) - declared_here:
        assert not hasattr(certcore, name), f"{name} exists at run time but the stub's condition excludes it"


def stub_all(body, names):
    """The stub's ``__all__`` for the running Python: its list plus the branches that hold here."""
    for node in body:
        if isinstance(node, ast.If):
            stub_all(node.body if holds_here(node.test) else node.orelse, names)
        elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            names[:] = ast.literal_eval(node.value)
        elif isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) == "__all__":
            names += ast.literal_eval(node.value)
    return names


def test_stub_all_is_the_runtime_all():
    names = stub_all(ast.parse(STUB.read_text(encoding="utf-8")).body, [])
    assert len(names) == len(set(names)), "a name is listed twice"
    assert sorted(names) == sorted(certcore.__all__)


def test_stub_reexports_are_the_runtime_objects():
    # `from ssl import X as X` promises `certcore.X is ssl.X`; check the promise for this Python.
    import ssl

    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "ssl":
            for alias in node.names:
                if alias.asname == alias.name and hasattr(certcore, alias.name) and hasattr(ssl, alias.name):
                    assert getattr(certcore, alias.name) is getattr(ssl, alias.name), alias.name
                    checked += 1
    assert checked > 50


def own_members(cls):
    """(name, object) of each public attribute `cls` defines itself or inherits from certcore."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("certcore"):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_"):
                yield name, klass, value


def is_api(value):
    """A method or property (class data such as ``sslsocket_class`` has no docstring of its own)."""
    return callable(value) or isinstance(value, (property, staticmethod, classmethod))


DOC_CASES = [
    pytest.param(cls, name, id=f"{cls.__name__}.{name}")
    for cls in (certcore.SSLContext, certcore.SSLSocket, certcore.SSLObject)
    for name in sorted({name for name, _, value in own_members(cls) if is_api(value)})
]


@pytest.mark.parametrize("cls, name", DOC_CASES)
def test_public_member_has_docstring(cls, name):
    value = inspect.getattr_static(cls, name)
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    doc = value.__doc__
    assert doc and doc.strip(), f"{cls.__name__}.{name} has no docstring"


def test_docstring_cases_cover_the_api():
    # The parametrisation must not come out empty (e.g. through a module rename).
    names = {param.id for param in DOC_CASES}
    for expected in ("SSLContext.wrap_socket", "SSLSocket.recv_into", "SSLObject.do_handshake", "SSLSocket.context"):
        assert expected in names
