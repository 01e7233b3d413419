"""Codes for tests of two-factor authentication, computed as an authenticator app would."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code ``device`` accepts now (``steps`` time steps later, if asked)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def next_code_for(device: TOTPDevice) -> str:
    """A code not yet used: django-otp accepts each time step once, so a second sign-in within
    the same 30 seconds takes the next step's code (within the tolerance), waiting if need be."""
    device.refresh_from_db()

    def now_t() -> int:
        return int((time.time() - device.t0) // device.step) + device.drift

    if device.last_t + 1 > now_t() + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
    return code_for(device, steps=max(0, device.last_t + 1 - now_t()))
