"""Long schemathesis run against a real server (the test suite runs a short one in-process).

    python benchmarks/fuzz_api.py [--max-examples 300]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server(2, Path(tmp))
        try:
            result = subprocess.run(["schemathesis", "run", f"{url}/openapi.json", "--checks",
                                     "all", "--exclude-checks", "positive_data_acceptance",
                                     "--max-examples", str(args.max_examples)])
        finally:
            server.terminate()
            server.wait(timeout=20)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
