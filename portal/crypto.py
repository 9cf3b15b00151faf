"""Secrets the portal must read back (TOTP seeds, webhook signing secrets), encrypted at
rest with a key of the deployment's (ENCRYPTION_KEY) rather than stored in the clear."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet(purpose: str) -> MultiFernet:
    """Encrypts with ENCRYPTION_KEY; decrypts with it or any of its fallbacks. Each
    purpose gets a key of its own, derived from the configured one."""
    keys = [settings.ENCRYPTION_KEY, *settings.ENCRYPTION_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    hashlib.sha256(f"echri-exchange:{purpose}:".encode() + key.encode()).digest()
                )
            )
            for key in keys
        ]
    )


def encrypt(text: str, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def decrypt(token: str, *, purpose: str, ttl: int | None = None) -> str:
    """Raises InvalidToken when no configured key opens it (or, with ``ttl``, when it
    was encrypted more than ``ttl`` seconds ago)."""
    return _fernet(purpose).decrypt(token.encode(), ttl=ttl).decode()
