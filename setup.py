"""Build certcore: cythonize _certcore/*.pyx against the system OpenSSL (3.0 or newer).

OpenSSL is located, in this order:
  1. OPENSSL_DIR (a prefix holding include/openssl/ and lib/ or lib64/),
  2. pkg-config's "openssl" module,
  3. the compiler's default search path.
Before any Cython module is compiled, a one-line probe program checks that the headers
are there and are OpenSSL 3; if not, the build stops with one message saying what to install.
"""
import os
import shlex
import subprocess
import sys
import tempfile
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_OPENSSL_MAJOR = 3

MISSING_OPENSSL = """
certcore needs the OpenSSL 3 development files (headers and libssl/libcrypto) to build.
  Debian/Ubuntu:  apt-get install libssl-dev pkg-config
  Fedora/RHEL:    dnf install openssl-devel pkgconf-pkg-config
  Alpine:         apk add openssl-dev pkgconf
  macOS (brew):   brew install openssl@3 && export OPENSSL_DIR="$(brew --prefix openssl@3)"
Or point OPENSSL_DIR at an OpenSSL 3 installation prefix.
({detail})
"""


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, "openssl"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out.stdout)


def openssl_flags():
    """Return (include_dirs, library_dirs, runtime_library_dirs, libraries) for libssl/libcrypto."""
    prefix = os.environ.get("OPENSSL_DIR")
    if prefix:
        libdirs = [d for d in (os.path.join(prefix, "lib64"), os.path.join(prefix, "lib")) if os.path.isdir(d)]
        return [os.path.join(prefix, "include")], libdirs, libdirs, ["ssl", "crypto"]
    cflags, libs = pkg_config("--cflags"), pkg_config("--libs")
    if cflags is not None and libs is not None:
        incs = [f[2:] for f in cflags if f.startswith("-I")]
        libdirs = [f[2:] for f in libs if f.startswith("-L")]
        names = [f[2:] for f in libs if f.startswith("-l")] or ["ssl", "crypto"]
        return incs, libdirs, [], names
    return [], [], [], ["ssl", "crypto"]


class BuildExtChecked(build_ext):
    """build_ext that refuses, with one clear message, to build without OpenSSL 3 headers."""

    def build_extensions(self):
        self.probe_openssl()
        super().build_extensions()

    def probe_openssl(self):
        ext = self.extensions[0]
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write(
                    "#include <openssl/opensslv.h>\n#include <openssl/ssl.h>\n"
                    f"#if OPENSSL_VERSION_MAJOR < {MIN_OPENSSL_MAJOR}\n"
                    '#error "certcore needs OpenSSL 3.0 or newer"\n#endif\n'
                    "int main(void) { return SSL_CTX_new(TLS_method()) == 0; }\n"
                )
            log = os.path.join(tmp, "probe.log")
            try:
                with redirect_fd(2, log):
                    objs = self.compiler.compile([src], output_dir=tmp, include_dirs=ext.include_dirs)
                    # distutils links executables without the environment's LDFLAGS/CFLAGS;
                    # a sanitizer build (ci/asan) needs them to link the probe at all.
                    link_flags = shlex.split(os.environ.get("CFLAGS", "")) + shlex.split(os.environ.get("LDFLAGS", ""))
                    self.compiler.link_executable(
                        objs, "probe", output_dir=tmp, libraries=ext.libraries,
                        library_dirs=ext.library_dirs, extra_postargs=link_flags,
                    )
            except Exception:  # CompileError/LinkError
                with open(log, errors="replace") as f:
                    complaints = [line.strip() for line in f if "error" in line.lower()]
                sys.exit(MISSING_OPENSSL.format(detail=complaints[0] if complaints else "probe build failed"))


class redirect_fd:
    """Send a file descriptor (the compiler's stderr) to a file for the duration of a block."""

    def __init__(self, fd, path):
        self.fd, self.path = fd, path

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(self.fd)
        target = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, self.fd)
        os.close(target)

    def __exit__(self, *exc):
        os.dup2(self.saved, self.fd)
        os.close(self.saved)


# The public C API: include/ holds the canonical files; the installed package carries a copy
# in certcore/include/, which certcore.get_include() returns.
PUBLIC_HEADERS = ["certcore.h", "certcore_capi.pxd"]


class BuildPyWithHeaders(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "certcore", "include")
        self.mkpath(target)
        for name in PUBLIC_HEADERS:
            self.copy_file(os.path.join(HERE, "include", name), os.path.join(target, name))


# Modules compiled with OpenSSL 3.0's deprecated declarations visible: ecverify needs
# EC_GROUP_precompute_mult, which has no replacement (see its docstring). Every other module is
# compiled without them, so a deprecated call anywhere else fails the build.
DEPRECATED_API_MODULES = {"_certcore.ecverify"}


def extensions():
    from Cython.Build import cythonize

    incs, libdirs, rpaths, libs = openssl_flags()
    include_dirs = [os.path.join(HERE, "include"), *incs]
    modules = []
    for pyx in sorted(glob(os.path.join("_certcore", "*.pyx"))):
        name = "_certcore." + os.path.splitext(os.path.basename(pyx))[0]
        macros = [("OPENSSL_API_COMPAT", "0x30000000L"), ("OPENSSL_NO_DEPRECATED", "1")]
        if name in DEPRECATED_API_MODULES:
            macros = [("OPENSSL_API_COMPAT", "0x30000000L"), ("OPENSSL_SUPPRESS_DEPRECATED", "1")]
        modules.append(
            Extension(
                name,
                [pyx],
                include_dirs=include_dirs,
                library_dirs=libdirs,
                runtime_library_dirs=rpaths,
                libraries=libs,
                define_macros=macros,
                extra_compile_args=["-O2"] + (["-g0"] if not os.environ.get("CERTCORE_DEBUG") else ["-g", "-O0"]),
            )
        )
    return cythonize(
        modules,
        include_path=[os.path.join(HERE, "include"), HERE],
        compiler_directives={
            "language_level": 3,
            "binding": True,
            "embedsignature": True,
            "embedsignature.format": "python",
        },
        nthreads=int(os.environ.get("CERTCORE_BUILD_JOBS", "0")) or (os.cpu_count() or 1),
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildExtChecked, "build_py": BuildPyWithHeaders})
