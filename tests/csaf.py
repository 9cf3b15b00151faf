"""CSAF documents checked by a maintained validator: BSI's csaf-validator-lib, run by
Node.js (tests/csaf_validate.mjs), with the CSAF 2.0 strict schema and every mandatory
test. Nothing of ours decides whether a document is valid."""

import json
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("csaf_validate.mjs")


def validate(*documents: dict) -> list[dict]:
    """Each document's result: {"isValid": bool, "errors": [...]}."""
    node = shutil.which("node")
    assert node, "Node.js runs the CSAF validator (it installs the front-end assets too)"
    completed = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(list(documents)).encode(),
        capture_output=True,
        check=True,
        cwd=SCRIPT.parent.parent,
        timeout=60,
    )
    return json.loads(completed.stdout)
