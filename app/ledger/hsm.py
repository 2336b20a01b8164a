"""Checkpoint signing with an Ed25519 key that never leaves a PKCS#11 token (an HSM, a smart card, or
SoftHSM in tests), through python-pkcs11.

Settings: LEDGER_SIGNER=pkcs11, LEDGER_PKCS11_MODULE (the token's library, e.g.
/usr/lib/softhsm/libsofthsm2.so), LEDGER_PKCS11_TOKEN (token label), LEDGER_PKCS11_KEY (key label),
LEDGER_PKCS11_PIN or LEDGER_PKCS11_PIN_FILE (the user PIN; a file readable only by the service).
The token signs with CKM_EDDSA, which gives the same 64-byte Ed25519 signature as a key in memory, so
checkpoints look exactly alike whichever signer made them.
"""
from app.ledger import note

ED25519_OID = "1.3.101.112"


class HsmError(RuntimeError):
    pass


def _lib(module_path: str):
    try:
        import pkcs11
    except ImportError as exc:  # pragma: no cover - python-pkcs11 is a declared dependency
        raise HsmError(f"python-pkcs11 is not installed: {exc}") from None
    try:
        return pkcs11.lib(module_path)
    except Exception as exc:  # the loader raises several types (RuntimeError, OSError...)
        raise HsmError(f"cannot load the PKCS#11 module {module_path}: {exc}") from None


def _public_from_point(point: bytes) -> bytes:
    """CKA_EC_POINT of an Edwards key: the 32 raw bytes, DER-wrapped in an OCTET STRING by most tokens."""
    if len(point) == 34 and point[0] == 0x04 and point[1] == 32:
        return point[2:]
    if len(point) == 32:
        return point
    raise HsmError("the token's public key is not a 32-byte Ed25519 point")


class HsmSigner(note.NoteSigner):
    """Signs through the token; opens a short session per signature (checkpoints are rare)."""

    def __init__(self, name: str, module_path: str, token_label: str, key_label: str, pin: str):
        import pkcs11
        from pkcs11 import Attribute, KeyType, ObjectClass

        self.name = name
        self._lib = _lib(module_path)
        self._token_label, self._key_label, self._pin = token_label, key_label, pin
        try:
            self._token = self._lib.get_token(token_label=token_label)
            with self._token.open(user_pin=pin) as session:
                pub = session.get_key(object_class=ObjectClass.PUBLIC_KEY, key_type=KeyType.EC_EDWARDS,
                                      label=key_label)
                self.public_key = _public_from_point(pub[Attribute.EC_POINT])
        except pkcs11.PKCS11Error as exc:
            raise HsmError(f"PKCS#11 token {token_label!r}, key {key_label!r}: "
                           f"{type(exc).__name__} {exc}") from None
        self.key_hash = note.key_hash(name, self.public_key)

    def sign_bytes(self, data: bytes) -> bytes:
        import pkcs11
        from pkcs11 import KeyType, Mechanism, ObjectClass

        try:
            with self._token.open(user_pin=self._pin) as session:
                key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, key_type=KeyType.EC_EDWARDS,
                                      label=self._key_label)
                signature = key.sign(data, mechanism=Mechanism.EDDSA)
        except pkcs11.PKCS11Error as exc:
            raise HsmError(f"PKCS#11 signing failed: {type(exc).__name__} {exc}") from None
        # Never publish a signature we cannot check ourselves (a token bug would poison the log).
        if not self.verifier().verify(data, signature):
            raise HsmError("the token returned a signature that does not verify")
        return signature


def generate_key(module_path: str, token_label: str, key_label: str, pin: str) -> None:
    """Create an Ed25519 key pair inside the token (private key not extractable)."""
    import pkcs11
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_named_curve_parameters

    token = _lib(module_path).get_token(token_label=token_label)
    try:
        with token.open(user_pin=pin, rw=True) as session:
            params = session.create_domain_parameters(
                KeyType.EC_EDWARDS, {Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID)},
                local=True)
            params.generate_keypair(store=True, label=key_label,
                                    private_template={Attribute.EXTRACTABLE: False,
                                                      Attribute.SENSITIVE: True})
    except pkcs11.PKCS11Error as exc:
        raise HsmError(f"cannot create key {key_label!r} in token {token_label!r}: "
                       f"{type(exc).__name__} {exc}") from None
