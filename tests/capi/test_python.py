"""The Python module (python/veritee) on the C ABI, against the corpus.

Run by ctest as ``python3 -m unittest discover -s tests/capi -p 'test_python.py'`` with
PYTHONPATH at python/, $VERITEE_LIBRARY at the built libveritee.so, $VERITEE_CLI at the built
CLI and $VERITEE_CORPUS at the corpus; the corpus tests skip, saying so, when it is absent.
"""
import os
import pathlib
import subprocess
import tempfile
import unittest

import veritee

CORPUS = pathlib.Path(os.environ.get("VERITEE_CORPUS", "../shared/corpus"))
CLI = os.environ.get("VERITEE_CLI")


def manifest_rows():
    """MANIFEST.tsv rows with a signer, a chain and the oracle PASS."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        report, _enc, _ver, product, _key, signer, chain, at, oracle = line.split("\t")[:9]
        if oracle == "PASS" and signer != "-" and chain != "-":
            rows.append(dict(report=report, product=None if product == "-" else product,
                             signer=signer, chain=chain, at=None if at == "-" else at))
    return rows


def read(rel):
    return (CORPUS / rel).read_bytes()


class VersionTest(unittest.TestCase):
    def test_version_and_abi(self):
        self.assertRegex(veritee.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(veritee.abi_version(), 0)


class MalformedInputTest(unittest.TestCase):
    def test_junk_raises_typed_error_with_library_message(self):
        with self.assertRaises(veritee.MalformedInputError) as caught:
            veritee.verify(b"this is not an attestation report")
        self.assertEqual(caught.exception.status, veritee.Status.MALFORMED_INPUT)
        self.assertTrue(caught.exception.message)
        self.assertIsInstance(caught.exception, ValueError)

    @unittest.skipUnless(CLI, "VERITEE_CLI not set: cannot compare with the CLI's message")
    def test_message_is_the_clis(self):
        junk = b"this is not an attestation report"
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(junk)
            f.flush()
            cli = subprocess.run([CLI, "verify", "--offline", f.name], capture_output=True,
                                 text=True, check=False)
        self.assertEqual(cli.returncode, 2, cli.stderr)
        with self.assertRaises(veritee.MalformedInputError) as caught:
            veritee.verify(junk)
        self.assertIn(caught.exception.message, cli.stderr)

    def test_bad_options_raise(self):
        with self.assertRaises(veritee.MalformedInputError):
            veritee.verify(b"x", at="yesterday")
        with self.assertRaises(veritee.MalformedInputError):
            veritee.verify(b"x", product="pentium")
        with self.assertRaises(TypeError):
            veritee.verify("text is not bytes")

    def test_unusable_certificate_raises_endorsement_error(self):
        rows = manifest_rows()
        if not rows:
            self.skipTest(f"no corpus at {CORPUS}")
        with self.assertRaises(veritee.EndorsementError):
            veritee.verify(read(rows[0]["report"]), vcek=b"not a certificate")


class CorpusTest(unittest.TestCase):
    def setUp(self):
        self.rows = manifest_rows()
        if not self.rows:
            self.skipTest(f"no corpus MANIFEST.tsv with signers at {CORPUS}")

    def test_every_report_that_verifies_verifies(self):
        for row in self.rows:
            with self.subTest(report=row["report"]):
                r = veritee.verify(read(row["report"]), vcek=read(row["signer"]),
                                   chain=read(row["chain"]), at=row["at"],
                                   product=row["product"])
                self.assertTrue(r.verified, r.checks)
                self.assertEqual(r.status, veritee.Status.OK)
                self.assertEqual(r.failed_checks, [])
                self.assertTrue(any(c["id"] == "report.signature" for c in r.checks))
                self.assertRegex(r.report["measurement"], r"^[0-9a-f]{96}$")

    def test_changed_byte_fails_a_check(self):
        row = next((r for r in self.rows if len(read(r["report"])) == 0x4A0), None)
        if row is None:
            self.skipTest("no raw binary report in the corpus")
        report = bytearray(read(row["report"]))
        report[0x90] ^= 1  # MEASUREMENT (ABI Table 22)
        r = veritee.verify(bytes(report), vcek=read(row["signer"]), chain=read(row["chain"]),
                           at=row["at"], product=row["product"])
        self.assertFalse(r.verified)
        self.assertEqual(r.status, veritee.Status.EVIDENCE_FAILED)
        self.assertIn("report.signature", r.failed_checks)

    def test_missing_signer_is_an_endorsement_problem(self):
        row = self.rows[0]
        r = veritee.verify(read(row["report"]), at=row["at"], product=row["product"])
        self.assertFalse(r.verified)
        self.assertEqual(r.status, veritee.Status.ENDORSEMENT_PROBLEM)


if __name__ == "__main__":
    unittest.main()
