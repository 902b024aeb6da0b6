"""Copy the files named in sources.tsv out of fetched public repositories into files/.

    python tests/corpus/gather.py MIRRORS

MIRRORS holds one bare git copy per repository (`OWNER+NAME/repo`, as the library's `fetch`
leaves them). Each file is taken from the repository's newest commit; MANIFEST.tsv records that
commit and the file's SHA-256 so anyone can check the copy against its source.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True,
                          capture_output=True).stdout


def mirror(mirrors: Path, repo: str) -> Path:
    folder = mirrors / repo.replace("/", "+") / "repo"
    return folder / ".git" if (folder / ".git").is_dir() else folder


def main(mirrors: Path) -> None:
    with open(HERE / "sources.tsv", newline="") as handle:
        sources = list(csv.DictReader(handle, delimiter="\t"))
    rows = []
    for source in sources:
        repo = mirror(mirrors, source["repo"])
        commit = git(repo, "rev-parse", "HEAD").decode().strip()
        data = git(repo, "show", f"{commit}:{source['path']}")
        (HERE / "files" / f"{source['name']}.svg").write_bytes(data)
        rows.append({**source, "commit": commit, "sha256": hashlib.sha256(data).hexdigest()})
        print(f"{source['name']:<32} {len(data) / 1e3:>8.0f} kB")
    with open(HERE / "MANIFEST.tsv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter="\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
