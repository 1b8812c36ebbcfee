"""cert_time_to_seconds: CPython 3.11's test_ssl cases, reference values, and differential tests
against the 3.11 oracle (tests/oracle.py), plus locale and time-zone independence."""
import calendar
import inspect
import os
import pathlib
import shutil
import ssl
import subprocess
import sys
import tempfile
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import certcore
from _certcore import asn1time
from helpers.oracle import outcome
from helpers.scale import examples

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def same_as_oracle(oracle, inputs):
    inputs = list(inputs)
    expected = oracle.run("cert_time_to_seconds", [(s,) for s in inputs])
    for s, want in zip(inputs, expected):
        assert outcome(certcore.cert_time_to_seconds, s) == want, s


def cert_time_ok(s, ts):
    assert certcore.cert_time_to_seconds(s) == ts
    assert type(certcore.cert_time_to_seconds(s)) is int


def cert_time_fail(s):
    with pytest.raises(ValueError):
        certcore.cert_time_to_seconds(s)


# --- CPython 3.11 Lib/test/test_ssl.py ---------------------------------------------------------

def test_cpython_cert_time_to_seconds():
    timestring = "Jan  5 09:34:43 2018 GMT"
    ts = 1515144883.0
    cert_time_ok(timestring, ts)
    assert certcore.cert_time_to_seconds(cert_time=timestring) == ts
    cert_time_ok("Jan 05 09:34:43 2018 GMT", ts)
    cert_time_ok("JaN  5 09:34:43 2018 GmT", ts)
    cert_time_fail("Jan  5 09:34 2018 GMT")
    cert_time_fail("Jan  5 09:34:43 2018")
    cert_time_fail("Jan  5 09:34:43 2018 UTC")
    cert_time_fail("Jan 35 09:34:43 2018 GMT")
    cert_time_fail("Jon  5 09:34:43 2018 GMT")
    cert_time_fail("Jan  5 24:00:00 2018 GMT")
    cert_time_fail("Jan  5 09:60:43 2018 GMT")
    newyear_ts = 1230768000.0
    cert_time_ok("Dec 31 23:59:60 2008 GMT", newyear_ts)
    cert_time_ok("Jan  1 00:00:00 2009 GMT", newyear_ts)
    cert_time_ok("Jan  5 09:34:59 2018 GMT", 1515144899)
    cert_time_ok("Jan  5 09:34:60 2018 GMT", 1515144900)
    cert_time_ok("Jan  5 09:34:61 2018 GMT", 1515144901)
    cert_time_fail("Jan  5 09:34:62 2018 GMT")
    cert_time_ok("Dec 31 23:59:59 9999 GMT", 253402300799.0)


def _run(code, **env):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kathmandu", "America/St_Johns", "XXX-5:45YYY,M3.5.0,M10.5.0",
                                "<-1130>+11:30"])
def test_cpython_cert_time_to_seconds_timezone(tz):
    # CPython's test only runs when local time differs from UTC; a subprocess makes sure it does.
    out = _run("""
        import time, certcore
        time.tzset()
        print(certcore.cert_time_to_seconds("May  9 00:00:00 2007 GMT"),
              certcore.cert_time_to_seconds("Jan  5 09:34:43 2018 GMT"),
              certcore.cert_time_to_seconds("Jul  1 12:00:00 1969 GMT"))
    """, TZ=tz)
    assert out.split() == ["1178668800", "1515144883", str(calendar.timegm((1969, 7, 1, 12, 0, 0)))]


def _loads(locpath, name):
    """None when the locale loads, else why not."""
    probe = "import locale; locale.setlocale(locale.LC_ALL, '')"
    env = dict(os.environ, LC_ALL=name, LOCPATH=locpath)
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60,
                          cwd="/")
    return None if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1:]


def _non_c_locale(where):
    """(LOCPATH or None, name) of a locale whose February is not 'Feb': built with localedef in one
    of `where` (directories), else one from `locale -a`. Every failed attempt is in the failure."""
    tried = []
    localedef = shutil.which("localedef")
    for directory in where if localedef else ():
        for src in ("ru_RU", "fr_FR", "ja_JP"):
            target = directory / f"{src}.UTF-8"
            # localedef's exit status is 1 when it only warns: the probe decides whether the locale loads.
            # Its gzip child reads the compressed charmap through a pipe: with no standard input (a CI job
            # runs without one) the pipe lands on descriptor 0 and gzip fails, so stdin is /dev/null.
            made = subprocess.run([localedef, "-i", src, "-f", "UTF-8", str(target)], capture_output=True,
                                  stdin=subprocess.DEVNULL, text=True, timeout=240)
            why = _loads(str(directory), f"{src}.UTF-8") if target.exists() else "no output"
            if why is None:
                return str(directory), f"{src}.UTF-8"
            tried.append(f"{target}: localedef exit {made.returncode} {made.stderr.strip()[-300:]!r}; {why}")
    names = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    for name in names:
        if name.split(".")[0][:2] in ("ru", "fr", "ja", "zh", "ko", "uk", "pl", "fi", "el"):
            return None, name
    pytest.fail(f"no non-C locale with a non-English February (localedef: {localedef or 'missing'}; "
                f"tried {tried}; locale -a: {names}): install the locales package")


def test_cpython_cert_time_to_seconds_locale(tmp_path):
    # two places to build in: a directory of its own (CI's concurrent pytest sessions once removed
    # each other's numbered temporary directories) and pytest's tmp_path
    scratch = tempfile.mkdtemp(prefix="certcore-locale-")
    try:
        _locale_case([pathlib.Path(scratch), tmp_path])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _locale_case(where):
    locpath, name = _non_c_locale(where)
    env = {"LC_ALL": name}
    if locpath:
        env["LOCPATH"] = locpath
    out = _run("""
        import locale, time, certcore
        locale.setlocale(locale.LC_ALL, '')
        feb = time.strftime('%b', (1, 2, 3, 4, 5, 6, 0, 0, 0))
        assert feb.lower() != 'feb', feb
        print(certcore.cert_time_to_seconds("Feb  9 00:00:00 2007 GMT"))
        try:
            certcore.cert_time_to_seconds(feb + "  9 00:00:00 2007 GMT")
        except ValueError as e:
            print("ValueError")
    """, **env)
    assert out.split() == ["1170979200", "ValueError"]


# --- edge cases of CPython's cert_time_to_seconds: the running stdlib gives these same values ---

@pytest.mark.parametrize("s, ts", [
    ("Jan  1 00:00:00 0001 GMT", -62135596800),
    ("Dec 31 23:59:59 9999 GMT", 253402300799),
    ("Dec 31 23:59:61 9999 GMT", 253402300801),
    ("Feb 30 00:00:00 2016 GMT", 1456790400),
    ("Mar  1 00:00:00 2016 GMT", 1456790400),
    ("Feb 29 00:00:00 2015 GMT", calendar.timegm((2015, 3, 1, 0, 0, 0))),
    ("Jan 1\t1:2:3\n1970 \r\x0b\x0cgmt", 3723),
    ("jan\u3000\u2003 5 09:34:43 ٢٠١٨ GMT", 1515144883),
    ("ſep  1 00:00:00 2000 GMT", calendar.timegm((2000, 9, 1, 0, 0, 0))),
    ("Dec 31 23:59:59 1969 GMT", -1),
])
def test_reference_values(s, ts):
    # the stdlib is the oracle (it gives these values on 3.9-3.13); the literal pins the value in case
    # both changed together
    assert ssl.cert_time_to_seconds(s) == ts
    cert_time_ok(s, ts)


@pytest.mark.parametrize("s, message", [
    (" Jan 5 09:34:43 2018 GMT",
     """time data ' Jan 5 09:34:43 2018 GMT' does not match format "%b %d %H:%M:%S %Y GMT\""""),
    ("Jan  5 09:34:43 2018 UTC",
     "time data '  5 09:34:43 2018 UTC' does not match format ' %d %H:%M:%S %Y GMT'"),
    ("Jan  5 09:34:43 2018 GMT  ", "unconverted data remains:   "),
    ("Jan  5 09:34:43 0000 GMT", "year 0 is out of range"),
    ("", """time data '' does not match format "%b %d %H:%M:%S %Y GMT\""""),
])
def test_messages(s, message):
    with pytest.raises(ValueError) as theirs:
        ssl.cert_time_to_seconds(s)
    with pytest.raises(ValueError) as info:
        certcore.cert_time_to_seconds(s)
    assert str(info.value) == str(theirs.value) == message
    assert type(info.value) is ValueError


def test_signature_and_identity():
    assert certcore.cert_time_to_seconds is asn1time.cert_time_to_seconds
    assert list(inspect.signature(certcore.cert_time_to_seconds).parameters) == ["cert_time"]


def test_str_subclass():
    class S(str):
        pass

    assert certcore.cert_time_to_seconds(S("Jan  5 09:34:43 2018 GMT")) == 1515144883
    with pytest.raises(ValueError, match="unconverted data remains: x"):
        certcore.cert_time_to_seconds(S("Jan  5 09:34:43 2018 GMTx"))


# --- differential: CPython 3.11's ssl as the oracle --------------------------------------------

BAD_TYPES = [None, 0, 12.5, b"Jan  5 09:34:43 2018 GMT", bytearray(b"Jan  5 09:34:43 2018 GMT"),
             ["Jan", "5"], ("J", "a", "n"), {"a": 1}, b"", True]


def test_bad_types(oracle):
    same_as_oracle(oracle, BAD_TYPES)


def _variants():
    out = []
    for m in MONTHS:
        for spelled in {m, m.upper(), m.lower(), m.swapcase(), m[0].lower() + m[1:].upper()}:
            out.append(f"{spelled}  5 09:34:43 2018 GMT")
    for junk in ["Jo", "J", "Ja", "Jann", "Janu", "J n", "1an", "Ja\u00f1", "\u017fep", "\u212aan", "ǰan", "Ǉan"]:
        out.append(f"{junk}  5 09:34:43 2018 GMT")
    for day in ["0", "00", "1", "01", " 1", "  1", "9", "09", "10", "19", "1٢", "2٩", "29", "30", "31", "32",
                "39", "3", "3 ", "40", "٣", "٠1", "001", "\t7", "\n 7", "7\t", "\u20037", "1 1"]:
        out.append(f"Jan {day} 09:34:43 2018 GMT")
        out.append(f"Jan{day} 09:34:43 2018 GMT")
    for hms in ["0:0:0", "00:00:00", "9:9:9", "23:59:59", "24:00:00", "2:3:4", "20:3:4", "2٣:00:00", "1٣:00:00",
                "٣:0:0", "19:60:00", "19:5٩:00", "19:59:60", "19:59:61", "19:59:62", "19:59:6", "19:59:70",
                "19:59", "19:59:", ":59:59", "19::59", "19:59:59.5", "19: 59:59", "19 :59:59", "123:0:0",
                "1:2:3:4", "23:59:٦0", "23:59:5٩", "0023:0:0"]:
        out.append(f"Jan  5 {hms} 2018 GMT")
    for year in ["0", "00", "000", "0000", "0001", "1969", "1970", "2038", "9999", "10000", "99999", "٢٠١٨",
                 "２０１８", "𝟐𝟎𝟏𝟖", "2018.", "-001", "+201", "20 18", "\u0e52\u0e50\u0e51\u0e58"]:
        out.append(f"Dec 31 23:59:59 {year} GMT")
    for tail in ["GMT", "gmt", "GmT", "UTC", "Z", "GMT ", "GMT\n", " GMT", "GMTx", "GMT+1", "G", "GM", "",
                 "\u0120MT", "ＧＭＴ", "GMT\x00", "\x00GMT", "GMT \x00", "  \t\n GMT", "GMT GMT"]:
        out.append(f"Jan  5 09:34:43 2018{' ' if tail and not tail[0].isspace() else ''}{tail}")
        out.append(f"Jan  5 09:34:43 2018{tail}")
    for s in ["Jan", "Jan ", "Jan 5", "Jan 5 ", "Jan 5 1", "Jan 5 1:", "Jan 5 1:2:3", "Jan 5 1:2:3 2018",
              " Jan  5 09:34:43 2018 GMT", "\x00Jan  5 09:34:43 2018 GMT", "Jan\x00 5 09:34:43 2018 GMT",
              "Jan  5 09:34:43 2018 GMT\x00", "Jan  5\x0009:34:43 2018 GMT",
              "Jan\u00a05\u0085" "09:34:43\u20282018\u3000GMT",
              "Jan\u200b5 09:34:43 2018 GMT", "Jan\u180e5 09:34:43 2018 GMT", "Jan\x1c5\x1d1:2:3\x1e2018\x1fGMT",
              "Jan 5 1:2:3 2018 GMT" + "x" * 10000, "Jan  5 09:34:43 2018 GMT\ud800", "\ud800an 5 1:2:3 2018 GMT",
              "Jan\U0001f6005 1:2:3 2018 GMT", "JAN 31 23:59:61 9999 gMt", "Feb 31 00:00:00 2001 GMT"]:
        out.append(s)
    return out


def test_variants_vs_oracle(oracle):
    same_as_oracle(oracle, _variants())


def test_every_day_and_second_vs_oracle(oracle):
    inputs = []
    for m in MONTHS:
        for d in range(0, 33):
            inputs.append(f"{m} {d:2d} {d % 25}:{d * 2 % 61}:{d * 7 % 63} {1900 + d * 3} GMT")
            inputs.append(f"{m} {d:02d} 23:59:{d * 2 % 63:02d} {d:04d} GMT")
    same_as_oracle(oracle, inputs)


# Pieces the generator assembles; each slot gets a valid, nearly valid or junk value.
_SPACE = st.sampled_from([" ", "  ", "\t", "\n", " \t ", "\u3000", "\x0b", "\x1f", "\u00a0", "\x85", ""])
_DIGIT = st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩０１x")
_JUNK = st.text(alphabet=st.sampled_from(" :\t0123456789GMTgmtJanZ\x00é\u2003-+."), max_size=4)


@st.composite
def time_strings(draw):
    month = draw(st.sampled_from(MONTHS + ["jAN", "FEB", "mar", "Jo", "", "ſep", "Sept"]))
    day = draw(st.one_of(st.integers(0, 40).map(str), st.integers(0, 40).map(lambda d: f"{d:2d}"),
                         st.integers(0, 40).map(lambda d: f"{d:02d}"), st.text(_DIGIT, max_size=3)))
    parts = [draw(st.one_of(st.integers(0, 99).map(str), st.integers(0, 99).map(lambda v: f"{v:02d}"),
                            st.text(_DIGIT, max_size=3))) for _ in range(3)]
    year = draw(st.one_of(st.sampled_from(["0000", "0001", "1969", "1970", "9999", "10000", "999", "2018"]),
                          st.integers(0, 9999).map(lambda y: f"{y:04d}"), st.text(_DIGIT, min_size=3, max_size=5)))
    zone = draw(st.sampled_from(["GMT", "gmt", "Gmt", "UTC", "GMT ", "", "GM", "GMTZ", "GMT\x00"]))
    seps = [draw(_SPACE) for _ in range(4)]
    colons = [draw(st.sampled_from([":", ":", ":", "", ";", " :"])) for _ in range(2)]
    s = (f"{month}{seps[0]}{day}{seps[1]}{parts[0]}{colons[0]}{parts[1]}{colons[1]}{parts[2]}"
         f"{seps[2]}{year}{seps[3]}{zone}")
    if draw(st.integers(0, 4)) == 0:   # splice junk somewhere
        pos = draw(st.integers(0, len(s)))
        s = s[:pos] + draw(_JUNK) + s[pos + draw(st.integers(0, 2)):]
    return s


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(time_strings(), min_size=100, max_size=100))
def test_generated_vs_oracle(oracle, batch):
    same_as_oracle(oracle, batch)


@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(max_size=40), min_size=100, max_size=100))
def test_random_text_vs_oracle(oracle, batch):
    same_as_oracle(oracle, batch + ["Jan  5 09:34:43 2018 GMT" + t for t in batch[:20]]
                   + ["Jan " + t + " 1:2:3 2018 GMT" for t in batch[20:40]])


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(st.tuples(st.integers(1, 9999), st.integers(0, 11), st.integers(1, 31), st.integers(0, 23),
                          st.integers(0, 59), st.integers(0, 61)), min_size=50, max_size=50))
def test_valid_dates_match_timegm(batch):
    for y, m, d, hh, mm, ss in batch:
        s = f"{MONTHS[m]} {d:2d} {hh:02d}:{mm:02d}:{ss:02d} {y:04d} GMT"
        assert certcore.cert_time_to_seconds(s) == calendar.timegm((y, m + 1, d, hh, mm, ss)), s


def test_repr_in_messages_is_311s_for_every_code_point(oracle):
    # The messages embed repr(input); which characters repr escapes depends on the Unicode
    # database, so certcore carries 3.11's. Every code point, in chunks, in both messages.
    chunks = ["".join(map(chr, range(start, min(start + 4096, 0x110000)))) for start in range(0, 0x110000, 4096)]
    same_as_oracle(oracle, chunks + ["Jan " + c for c in chunks[:40]])


def _expected_c_result(s):
    """What parse_cert_time_ascii must return for s, derived from the (oracle-tested) str function."""
    try:
        return 0, certcore.cert_time_to_seconds(s)
    except ValueError as exc:
        msg = str(exc)
        if msg.endswith('format "%b %d %H:%M:%S %Y GMT"'):
            return -1, None
        if msg.startswith("time data"):
            return -2, None
        if msg.startswith("unconverted data remains: "):
            return -3, len(s) - (len(msg) - len("unconverted data remains: "))
        assert msg == "year 0 is out of range"
        return -4, None


def test_c_level_parser_agrees():
    inputs = [s for s in _variants() + list(BAD_TYPES[2:3]) if isinstance(s, str)]
    inputs += [f"{m} {d:2d} 23:59:{d % 62:02d} {d * 37:04d} GMT{t}" for m in MONTHS for d in range(33)
               for t in ("", " ", "x")]
    checked = 0
    for s in inputs:
        try:
            raw = s.encode("latin-1")
        except UnicodeEncodeError:
            continue
        rc, out = asn1time._test_parse_cert_time_ascii(raw)
        want_rc, want_out = _expected_c_result(s)
        assert rc == want_rc, s
        if want_out is not None:
            assert out == want_out, s
        checked += 1
    assert checked > 500


@pytest.mark.parametrize("args", [(1970, 1, 1, 0, 0, 0), (2009, 1, 1, 0, 0, 0), (2008, 12, 31, 23, 59, 60),
                                  (1, 1, 1, 0, 0, 0), (9999, 12, 31, 23, 59, 61), (2016, 2, 30, 0, 0, 0),
                                  (1969, 12, 31, 23, 59, 59), (1600, 3, 1, 0, 0, 0), (2000, 2, 29, 12, 0, 0)])
def test_civil_to_seconds(args):
    assert asn1time._test_civil_to_seconds(*args) == calendar.timegm(args)


def test_civil_to_seconds_normalizes_month():
    assert asn1time._test_civil_to_seconds(2000, 13, 1, 0, 0, 0) == calendar.timegm((2001, 1, 1, 0, 0, 0))
    assert asn1time._test_civil_to_seconds(2000, 0, 1, 0, 0, 0) == calendar.timegm((1999, 12, 1, 0, 0, 0))
    assert asn1time._test_civil_to_seconds(2000, -11, 1, 0, 0, 0) == calendar.timegm((1999, 1, 1, 0, 0, 0))
