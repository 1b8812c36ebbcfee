"""What a call did, as a plain tuple that compares equal exactly when two calls behaved alike.

    ("ok", value)
    ("raise", "module.QualName", str(exc))                      + (exc.library, exc.reason)
                                                                 when the exception has them
                                                                 + (exc.args,) with with_args

The exception's type is named, not held: outcomes travel between interpreters (the 3.11
oracle, see oracle.py) and read well in an assertion. certcore raises the stdlib's own classes,
so the names of certcore's and the stdlib's exceptions are directly comparable.

The options are keyword-only and named so that no function under test shares them; every
other keyword argument goes to ``func``:

* ``quiet=True`` silences DeprecationWarning during the call (the stdlib's ``match_hostname``,
  ``PROTOCOL_TLS`` and the like warn on every call);
* ``with_args=True`` adds ``exc.args`` (their ``repr`` where they do not pickle);
* ``text`` maps ``str(exc)`` before it is recorded (e.g. masking a version's line numbers).
"""
import pickle
import warnings


def outcome(func, /, *args, quiet=False, with_args=False, text=None, **kwargs):
    """Call ``func(*args, **kwargs)`` and describe what happened (see the module docstring)."""
    try:
        if quiet:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                value = func(*args, **kwargs)
        else:
            value = func(*args, **kwargs)
    except Exception as exc:  # every exception is data here
        return raised(exc, with_args=with_args, text=text)
    return ("ok", value)


def raised(exc, with_args=False, text=None):
    """The ``("raise", ...)`` outcome of an exception caught elsewhere."""
    cls = type(exc)
    message = str(exc) if text is None else text(str(exc))
    out = ("raise", f"{cls.__module__}.{cls.__qualname__}", message)
    if hasattr(exc, "library") or hasattr(exc, "reason"):
        out += (getattr(exc, "library", None), getattr(exc, "reason", None))
    if with_args:
        out += (_picklable(exc.args),)
    return out


def _picklable(args):
    try:
        pickle.dumps(args)
        return args
    except Exception:
        return repr(args)
