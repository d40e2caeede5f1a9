"""AES-GCM payload encryption for everything Temporal stores (inputs, results, failures)."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A payload marked encrypted could not be decrypted."""


class UnknownKeyError(DecryptionError):
    """A payload was encrypted with a key id this process does not hold."""


def decode_key(value: str) -> bytes:
    """Decode a base64 AES-256 key; raises ValueError unless it is exactly 32 bytes."""
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("encryption key is not valid base64") from exc
    if len(key) != 32:
        raise ValueError(f"encryption key must be 32 bytes, got {len(key)}")
    return key


class EncryptionCodec(PayloadCodec):
    """Encrypts whole serialized payloads with the current key; decrypts with any known key.

    Old keys stay decryptable during rotation; payloads that are not ours pass through unchanged
    (search attributes and memo written before encryption was enabled, for example).
    """

    def __init__(self, key_id: str, key: bytes, old_keys: Mapping[str, bytes] | None = None):
        self.key_id = key_id
        self._ciphers = {kid: AESGCM(k) for kid, k in (old_keys or {}).items()}
        self._ciphers[key_id] = AESGCM(key)

    @classmethod
    def from_base64(
        cls, key_id: str, key: str, old_keys: Mapping[str, str] | None = None
    ) -> EncryptionCodec:
        """Build a codec from base64 keys as configured (the current one and any retired ones)."""
        olds = {kid: decode_key(value) for kid, value in (old_keys or {}).items()}
        return cls(key_id, decode_key(key), olds)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload with the current key (fresh random nonce each time)."""
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt our payloads; raises DecryptionError (UnknownKeyError: a key id we lack)."""
        return [self._decrypt(p) for p in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated data: a payload cannot be relabelled to another key.
        sealed = self._ciphers[self.key_id].encrypt(
            nonce, payload.SerializeToString(), self.key_id.encode()
        )
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: self.key_id.encode()},
            data=nonce + sealed,
        )

    def _decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(sorted(self._ciphers))
            raise UnknownKeyError(f"unknown encryption key id {key_id!r} (known: {known})")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        if len(nonce) != NONCE_BYTES or not sealed:
            raise DecryptionError(f"payload under key {key_id!r} is too short to be ours")
        try:
            serialized = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag as exc:
            raise DecryptionError(f"payload under key {key_id!r} failed authentication") from exc
        plain = Payload()
        plain.ParseFromString(serialized)
        return plain
