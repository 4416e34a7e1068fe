"""The Windows suite's result from its JUnit XML: counts, each failure, and every skip with its reason.

    python tools/winlane/summary.py windows-suite.xml

Exits 1 when a test failed or errored, or when no test ran.
"""

import collections
import sys
import xml.etree.ElementTree as ET

cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
failed, skipped = [], collections.Counter()
for case in cases:
    name = f"{case.get('classname')}::{case.get('name')}"
    for child in case:
        if child.tag in ("failure", "error"):
            message = (child.get("message") or "").strip().splitlines()
            failed.append(f"{child.tag}: {name}: {message[0][:200] if message else ''}")
        elif child.tag == "skipped":
            skipped[(child.get("message") or "(no reason given)").strip()] += 1
errors = sum(1 for case in cases for child in case if child.tag == "error")
failures = sum(1 for case in cases for child in case if child.tag == "failure")
passed = len(cases) - failures - errors - sum(skipped.values())
print(f"Windows lane skips: {sum(skipped.values())}")
for reason, count in sorted(skipped.items(), key=lambda item: (-item[1], item[0])):
    print(f"  {count:3d} × {reason}")
for line in failed:
    print(f"  {line}")
print(f"windows: {passed} passed, {failures + errors} failed, {sum(skipped.values())} skipped")
sys.exit(1 if failed or not cases else 0)
