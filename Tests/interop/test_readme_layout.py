"""README's layout section names the project's folders and files: each path it names in
backticks exists, so the section cannot drift from the tree unnoticed."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def layout_paths():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    paths = set()
    for item in re.findall(r"`([^`]+)`", section):
        # Paths only: a name with a slash or a file with an extension, not module names or flags.
        if item.startswith(("-", ".")) or " " in item or ("/" not in item and not re.search(r"\.(swift|md|sh|py)$", item)):
            continue
        paths.add(item)
    return section, paths


def resolve(item):
    """A path as the section writes it: from the root, or under the folder it is listed in."""
    for base in [ROOT, ROOT / "Sources/Server", ROOT / "Sources/Protocol", ROOT / "bench", ROOT / "bench/peers", ROOT / "Sources/Server/Transport"]:
        if (base / item.rstrip("/")).exists():
            return base / item
    return None


def produced(item):
    """An output the tree ignores (dist/, a build folder): named, but made by a script."""
    return subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", item]).returncode == 0


def test_every_path_the_layout_names_exists():
    section, paths = layout_paths()
    assert len(paths) >= 20, paths
    missing = sorted(p for p in paths if resolve(p) is None and not produced(p))
    assert not missing, f"README's layout names paths that do not exist: {missing}"
