"""Helpers of the inventory tests: valid ICCIDs, ready-made devices and lines."""

from __future__ import annotations

from workhub.devices.fields import luhn_ok


def iccid(n: int, length: int = 19) -> str:
    """A valid ICCID (Japanese prefix 8981, a right Luhn check digit) numbered ``n``."""
    body = f"8981{n:0{length - 5}d}"
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def device_data(tag: str = "PC-0001", **over) -> dict:
    return {"asset_tag": tag, "kind": "laptop", "maker": "Fujitsu", "model": "LIFEBOOK U9",
            "serial": f"SN-{tag}", **over}


def line_data(number: str = "090-1111-0001", **over) -> dict:
    return {"number": number, "carrier": "docomo", "plan": "Data 20GB",
            "monthly_cost": "2,980", **over}
