"""Ed25519 signatures over register heads: the service signs, anyone verifies with the public key.

A signature covers ``register``, ``seq`` and ``hash`` (the chained hash, which pins every earlier
entry), so an entry cannot be edited, relinked, reordered or forged without the service's key.
The key is the seed in ``NEARMISS_SIGNING_KEY``; its public half is printed in packs and by
``nearmiss registers public-key`` so a reader needs no secret to check a register.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from config.settings import DEV_SIGNING_KEY


@lru_cache(maxsize=8)
def signing_key(seed_b64: str = DEV_SIGNING_KEY) -> Ed25519PrivateKey:
    """The private key from its base64 32-byte seed; ValueError when it is not one. One key
    object per seed (keys are immutable; deriving one cost ~0.7 ms, twice per pack built)."""
    try:
        seed = base64.b64decode(seed_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("signing key is not valid base64") from exc
    if len(seed) != 32:
        raise ValueError(f"signing key must be 32 bytes, got {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


@lru_cache(maxsize=8)
def public_half(key: Ed25519PrivateKey) -> Ed25519PublicKey:
    """``key``'s public key, derived once per key object (``signing_key`` returns one per seed)."""
    return key.public_key()


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key as 64 hex digits (what packs print)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def load_public_key(value: str) -> Ed25519PublicKey:
    """A public key from its 64 hex digits; ValueError when malformed."""
    try:
        raw = bytes.fromhex(value)
    except ValueError as exc:
        raise ValueError("public key is not hex") from exc
    if len(raw) != 32:
        raise ValueError(f"public key must be 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def _message(register: str, seq: int, hash_: str) -> bytes:
    return f"nearmiss-register-head\n{register}\n{seq}\n{hash_}".encode()


def sign_head(key: Ed25519PrivateKey, register: str, seq: int, hash_: str) -> str:
    """Hex signature of ``register``'s entry ``seq`` with chained hash ``hash_``."""
    return key.sign(_message(register, seq, hash_)).hex()


def head_signature_ok(
    public: Ed25519PublicKey, register: str, seq: int, hash_: str, signature: str
) -> bool:
    """Whether ``signature`` is the service's signature of that head."""
    try:
        public.verify(bytes.fromhex(signature), _message(register, seq, hash_))
    except (InvalidSignature, ValueError):
        return False
    return True
