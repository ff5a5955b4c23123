"""Write the Meltano Hub definitions (``plugins/extractors/*.yml``) and the extractor entries of
``meltano.yml`` from the taps themselves, so neither can drift from ``--about``.

    python plugins/generate.py          # rewrite the files
    python plugins/generate.py --check  # exit 1 if any file is out of date
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
REPO = "https://github.com/singer-tap-suite/singer-tap-suite"
VARIANT = "singer-tap-suite"

#: tap name -> (module:class, label, domain, one-line description)
TAPS: dict[str, tuple[str, str, str, str]] = {
    "tap-classroom": ("tap_classroom.tap:TapClassroom", "Google Classroom",
                      "https://classroom.google.com",
                      "Courses, rosters, announcements, course work and submissions"),
    "tap-thrive": ("tap_thrive.tap:TapThrive", "Thrive Learning", "https://thrivelearning.com",
                   "Learning content, users and activity"),
    "tap-primetric": ("tap_primetric.tap:TapPrimetric", "Primetric", "https://www.primetric.com",
                      "Resource planning: assignments, employees and hashtags"),
    "tap-basecamp": ("tap_basecamp.tap:TapBasecamp", "Basecamp", "https://basecamp.com",
                     "Projects, schedules, to-dos and messages"),
    "tap-systeme": ("tap_systeme.tap:TapSysteme", "systeme.io", "https://systeme.io",
                    "Contacts, tags, communities and courses"),
}
#: The SDK's own settings (stream maps, flattening, batch, ...) are documented by the SDK.
SDK_SETTINGS = {"stream_maps", "stream_map_config", "faker_config", "flattening_enabled",
                "flattening_max_depth", "flattening_max_key_length", "flattening_separator",
                "batch_config"}


def tap_class(name: str) -> Any:
    module, _, cls = TAPS[name][0].partition(":")
    return getattr(importlib.import_module(module), cls)


def meltano_kind(prop: dict) -> str:
    types = set(prop.get("type") or []) if isinstance(prop.get("type"), list) else {prop.get(
        "type")}
    if "integer" in types:
        return "integer"
    if "number" in types:
        return "decimal"
    if "boolean" in types:
        return "boolean"
    if "object" in types:
        return "object"
    if "array" in types:
        return "array"
    if prop.get("format") in ("date-time", "date"):
        return "date_iso8601"
    return "string"


def label_of(name: str) -> str:
    words = name.replace("_", " ").split()
    special = {"id": "ID", "url": "URL", "api": "API"}
    return " ".join(special.get(w, w.capitalize() if i == 0 else w) for i, w in enumerate(words))


def settings_of(cls: Any) -> tuple[list[dict], list[str]]:
    """The Meltano settings of a tap, and its required ones."""
    schema = cls.config_jsonschema
    settings = []
    for name, prop in schema["properties"].items():
        if name in SDK_SETTINGS:
            continue
        setting: dict[str, Any] = {"name": name, "kind": meltano_kind(prop),
                                   "label": label_of(name),
                                   "description": prop.get("description", "")}
        if "default" in prop:
            setting["value"] = prop["default"]
        if prop.get("secret"):
            setting["sensitive"] = True
        settings.append(setting)
    return settings, list(schema.get("required", []))


def hub_definition(name: str) -> dict[str, Any]:
    cls = tap_class(name)
    _, label, domain, summary = TAPS[name]
    settings, required = settings_of(cls)
    return {
        "name": name, "namespace": name.replace("-", "_"), "variant": VARIANT, "label": label,
        "description": summary, "docs": f"{REPO}/blob/main/taps/{name.replace('-', '_')}/README.md",
        "repo": REPO, "pip_url": f"git+{REPO}.git", "executable": name,
        "capabilities": sorted(str(c.value) for c in cls.capabilities), "keywords": ["meltano_sdk"],
        "domain_url": domain, "maintenance_status": "active", "settings": settings,
        "settings_group_validation": [required],
    }


def render(data: Any) -> str:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def expected_files(names: list[str]) -> dict[Path, str]:
    files = {ROOT / "plugins" / "extractors" / f"{n}--{VARIANT}.yml": render(hub_definition(n))
             for n in names}
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    project = yaml.load((ROOT / "meltano.yml").read_text())
    extractors = project["plugins"]["extractors"]
    for entry in extractors:
        if entry["name"] in names:
            hub = hub_definition(entry["name"])
            for key in ("namespace", "executable", "capabilities", "settings",
                        "settings_group_validation"):
                entry[key] = hub[key]
    out = io.StringIO()
    yaml.dump(project, out)
    files[ROOT / "meltano.yml"] = out.getvalue()
    return files


def installed_taps() -> list[str]:
    names = []
    for name in TAPS:
        try:
            tap_class(name)
        except Exception:  # a tap that does not import yet is left out
            continue
        names.append(name)
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    stale = []
    for path, text in expected_files(installed_taps()).items():
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        verb = "out of date" if args.check else "written"
        print(f"{verb}: " + ", ".join(map(str, stale)))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
