"""Signed notes and checkpoints: byte-for-byte with Go's golang.org/x/mod/sumdb/note."""
import json
from pathlib import Path

import pytest

from app.ledger import note

_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testvectors" / "signed-note"
_DIR = _SHARED if _SHARED.is_dir() else Path(__file__).resolve().parent / "testvectors" / "signed-note"
VECTOR = json.loads((_DIR / "go-sumdb-note.json").read_text())


def test_signer_reproduces_go_signed_note_byte_for_byte():
    signer = note.Signer.from_string(VECTOR["signer_key"])
    assert signer.to_string() == VECTOR["signer_key"]
    assert signer.verifier_key() == VECTOR["verifier_key"]
    assert signer.sign(VECTOR["text"]).encode() == VECTOR["signed_note"].encode()


def test_go_signed_note_opens_with_verifier_key():
    verifier = note.Verifier.from_string(VECTOR["verifier_key"])
    assert note.open_note(VECTOR["signed_note"], verifier) == VECTOR["text"]


@pytest.mark.parametrize("pos", range(0, len(VECTOR["signed_note"]), 7))
def test_any_changed_byte_fails(pos):
    verifier = note.Verifier.from_string(VECTOR["verifier_key"])
    signed = VECTOR["signed_note"]
    changed = signed[:pos] + ("X" if signed[pos] != "X" else "Y") + signed[pos + 1:]
    with pytest.raises(note.NoteError):
        note.open_note(changed, verifier)


def test_other_key_is_refused():
    other = note.Signer.generate("PeterNeumann")
    with pytest.raises(note.NoteError):
        note.open_note(VECTOR["signed_note"], other.verifier())


def test_bad_keys_are_refused():
    with pytest.raises(note.NoteError):
        note.Verifier.from_string(VECTOR["verifier_key"].replace("c74f20a3", "c74f20a4"))
    with pytest.raises(note.NoteError):
        note.Signer.from_string(VECTOR["signer_key"][len("PRIVATE+KEY+"):])
    with pytest.raises(note.NoteError):
        note.Signer.generate("has space")


def test_checkpoint_round_trip():
    signer = note.Signer.generate("example.org/log")
    root = bytes(range(32))
    text = note.checkpoint_text("example.org/log", 42, root, ["ext line"])
    assert text == "example.org/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\next line\n"
    signed = signer.sign(text)
    assert note.open_checkpoint(signed, signer.verifier(), "example.org/log") == ("example.org/log", 42, root)
    with pytest.raises(note.NoteError):
        note.open_checkpoint(signed, signer.verifier(), "other.org/log")
    with pytest.raises(note.NoteError):
        note.parse_checkpoint("o\n042\n" + text.split("\n")[2] + "\n")
