"""`arpolicy plugins` through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def arpolicy(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("arpolicy")
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_plugins_lists_built_ins_channels_and_rules() -> None:
    result = arpolicy("plugins", ARPOLICY_DISABLE_PLUGINS="")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "arpolicy.channels  built-in  arpolicy_register_channels" in out
    assert "arpolicy.rules     built-in  arpolicy_customer_actions, arpolicy_skip_invoice" in out
    for channel in ("agency", "email", "letter", "phone", "portal", "sms", "whatsapp"):
        assert f"\n{channel} " in out
    assert "arpolicy.rules  skip rule" in out
    assert "arpolicy.rules  actions outside the ladder" in out


def test_disabled_plugins_are_not_listed() -> None:
    result = arpolicy("plugins", ARPOLICY_DISABLE_PLUGINS="arpolicy.rules")
    assert result.returncode == 0, result.stderr
    assert "arpolicy.rules" not in result.stdout
    assert "Plugins (" in result.stdout
