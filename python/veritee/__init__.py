"""Verify AMD SEV-SNP attestation evidence from Python.

A thin ctypes binding (standard library only) over veritee's C ABI, ``libveritee.so``
(``veritee/veritee.h``). The verification is the CLI's ``veritee verify`` with the
endorsements given as bytes: offline, no cache, no network.

    import veritee
    r = veritee.verify(report_bytes, vcek=vcek_pem, chain=ask_ark_pem)
    r.verified                 # True when every check passed or was skipped
    r.checks                   # [{"id", "ok", "status", "subject", "detail"}, ...]
    r.report["measurement"]    # the decoded report, as ``veritee verify --json`` prints it

Evidence that cannot be read at all raises :class:`MalformedInputError`; certificate bytes that
cannot be used raise :class:`EndorsementError`. Both carry the library's message (the one the
CLI prints). Evidence that was read but fails a check is not an exception: ``r.verified`` is
False and ``r.checks`` says which check failed and why.

The library is found through ``$VERITEE_LIBRARY`` (a path to ``libveritee.so``), else the
dynamic linker's search path (``libveritee.so.0``).
"""

import ctypes
import datetime
import enum
import json
import os
import threading

__all__ = [
    "Status", "Result", "VeriteeError", "MalformedInputError", "EndorsementError",
    "verify", "version", "abi_version",
]

_ABI = 0  # the SONAME number this module was written against (include/veritee/veritee.h)


class Status(enum.IntEnum):
    """The library's status; 0-3 equal the exit codes of ``veritee verify``."""

    OK = 0
    EVIDENCE_FAILED = 1
    MALFORMED_INPUT = 2
    ENDORSEMENT_PROBLEM = 3
    INTERNAL_ERROR = 70


class VeriteeError(Exception):
    """An input veritee could not verify at all; ``status`` and ``message`` say why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = Status(status)
        self.message = message


class MalformedInputError(VeriteeError, ValueError):
    """The evidence or an option is unreadable or malformed (the CLI's exit code 2)."""


class EndorsementError(VeriteeError):
    """A certificate or CRL given is unusable (the CLI's exit code 3)."""


class Result:
    """The outcome of :func:`verify`.

    Attributes:
        status: a :class:`Status`; OK, EVIDENCE_FAILED or ENDORSEMENT_PROBLEM.
        verified: True when the report is authentic AMD SEV-SNP evidence.
        checks: the checks in order, each a dict with ``id``, ``ok``, ``status`` ("pass",
            "fail", "skip"), ``subject`` ("evidence" or "endorsement") and ``detail``.
        report: the decoded report (dict), as in ``veritee verify --json``.
    """

    __slots__ = ("status", "verified", "checks", "report")

    def __init__(self, status, checks, report):
        self.status = Status(status)
        self.verified = self.status == Status.OK
        self.checks = checks
        self.report = report

    @property
    def failed_checks(self):
        """The ids of the checks that failed."""
        return [c["id"] for c in self.checks if not c["ok"]]

    def __repr__(self):
        return f"<veritee.Result {self.status.name} failed={self.failed_checks}>"


class _Library:
    """The loaded C library and its prototypes (loaded once, on first use)."""

    _lock = threading.Lock()
    _lib = None

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._lib is None:
                cls._lib = cls._load()
            return cls._lib

    @staticmethod
    def _load():
        lib = ctypes.CDLL(os.environ.get("VERITEE_LIBRARY") or f"libveritee.so.{_ABI}")
        c_bytes = ctypes.POINTER(ctypes.c_uint8)
        status = ctypes.c_int
        handle = ctypes.c_void_p
        protos = {
            "veritee_version": (ctypes.c_char_p, []),
            "veritee_abi_version": (ctypes.c_int, []),
            "veritee_options_new": (handle, []),
            "veritee_options_free": (None, [handle]),
            "veritee_options_set_time": (status, [handle, ctypes.c_char_p]),
            "veritee_options_set_product": (status, [handle, ctypes.c_char_p]),
            "veritee_options_set_crl": (status, [handle, c_bytes, ctypes.c_size_t]),
            "veritee_options_set_require_crl": (status, [handle, ctypes.c_int]),
            "veritee_options_error": (ctypes.c_char_p, [handle]),
            "veritee_verify": (status, [c_bytes, ctypes.c_size_t, c_bytes, ctypes.c_size_t,
                                        c_bytes, ctypes.c_size_t, handle,
                                        ctypes.POINTER(handle)]),
            "veritee_result_free": (None, [handle]),
            "veritee_result_status": (status, [handle]),
            "veritee_result_error": (ctypes.c_char_p, [handle]),
            "veritee_result_checks_json": (ctypes.c_char_p, [handle]),
            "veritee_result_report_json": (ctypes.c_char_p, [handle]),
        }
        for name, (restype, argtypes) in protos.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        if lib.veritee_abi_version() != _ABI:
            raise ImportError(f"libveritee ABI {lib.veritee_abi_version()}, expected {_ABI}")
        return lib


def _buffer(data, what):
    """(pointer, length) for bytes-like data or None; the pointer stays valid while `data`."""
    if data is None:
        return None, 0
    if isinstance(data, str):
        raise TypeError(f"{what} must be bytes (read the file in binary mode), not str")
    raw = bytes(data)
    return (ctypes.c_uint8 * len(raw)).from_buffer_copy(raw), len(raw)


def _error(status, message):
    if status == Status.MALFORMED_INPUT:
        return MalformedInputError(status, message)
    if status == Status.ENDORSEMENT_PROBLEM:
        return EndorsementError(status, message)
    return VeriteeError(status, message)


def _text(value):
    return value.decode("utf-8", "replace") if value is not None else ""


def verify(evidence, vcek=None, chain=None, *, at=None, product=None, crl=None,
           require_crl=False):
    """Verify an SEV-SNP report's signature, AMD certificate chain and TCB binding.

    Args:
        evidence: the report bytes: a raw report, an Azure HCL blob or a MSG_REPORT_RSP,
            binary or as hex/base64 text (what ``veritee show`` reads).
        vcek: the VCEK or VLEK certificate (PEM or DER bytes), optionally bundled with its
            ASK/ASVK and ARK. Without it the result reports the signer as missing.
        chain: more CA certificates (ASK/ASVK and ARK; PEM or DER bytes). Optional: the
            pinned AMD roots are built in.
        at: verify as of this time: an RFC 3339 string or an aware ``datetime``; default now.
        product: "milan", "genoa" or "turin"; must match the evidence.
        crl: the ARK-signed CRL (DER or PEM bytes).
        require_crl: fail rather than skip the revocation check when no CRL is given.

    Returns:
        a :class:`Result`.

    Raises:
        MalformedInputError: the evidence or an option cannot be read.
        EndorsementError: the certificate or CRL bytes are unusable.
        VeriteeError: anything else the library reports (internal errors).
    """
    lib = _Library.get()
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        at = at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev, ev_len = _buffer(evidence, "evidence")
    if ev is None:
        raise TypeError("evidence is required")
    signer, signer_len = _buffer(vcek, "vcek")
    ca, ca_len = _buffer(chain, "chain")
    options = lib.veritee_options_new()
    if not options:
        raise MemoryError("veritee_options_new")
    result = ctypes.c_void_p()
    try:
        for name, ok in (("veritee_options_set_time", at is None),
                         ("veritee_options_set_product", product is None)):
            if ok:
                continue
            value = at if name.endswith("time") else product
            st = getattr(lib, name)(options, str(value).encode())
            if st != Status.OK:
                raise _error(st, _text(lib.veritee_options_error(options)))
        if crl is not None:
            crl_buf, crl_len = _buffer(crl, "crl")
            st = lib.veritee_options_set_crl(options, crl_buf, crl_len)
            if st != Status.OK:
                raise _error(st, _text(lib.veritee_options_error(options)))
        lib.veritee_options_set_require_crl(options, 1 if require_crl else 0)
        st = lib.veritee_verify(ev, ev_len, signer, signer_len, ca, ca_len, options,
                                ctypes.byref(result))
        if not result:
            raise VeriteeError(Status.INTERNAL_ERROR, "out of memory")
        message = _text(lib.veritee_result_error(result))
        if message:  # the checks did not run
            raise _error(st, message)
        return Result(st, json.loads(_text(lib.veritee_result_checks_json(result))),
                      json.loads(_text(lib.veritee_result_report_json(result))))
    finally:
        lib.veritee_result_free(result)
        lib.veritee_options_free(options)


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _text(_Library.get().veritee_version())


def abi_version():
    """The C ABI version (the number in libveritee.so.N)."""
    return _Library.get().veritee_abi_version()
