"""Write the Meltano Hub definitions (``plugins/extractors/*.yml``), the extractor entries of
``meltano.yml`` and the settings and streams tables of each tap's README from the taps themselves,
so none of them can drift from ``--about``.

    python plugins/generate.py          # rewrite the files
    python plugins/generate.py --check  # exit 1 if any file is out of date
"""

from __future__ import annotations

import argparse
import copy
import importlib
import io
import logging
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the registry is ``taps.registry`` from the root
from plugins.meltano_project import add_registry_taps  # noqa: E402
from taps.registry import TAPS as REGISTRY  # noqa: E402
from taps.registry import Tap  # noqa: E402

REPO = "https://github.com/singer-tap-suite/singer-tap-suite"
VARIANT = "singer-tap-suite"

#: tap name -> its registry entry (module:class, label, domain, one-line description)
TAPS: dict[str, Tap] = {tap.name: tap for tap in REGISTRY}
#: The SDK's own settings (stream maps, flattening, batch, ...) are documented by the SDK; the
#: README tables leave them out, the Meltano definitions declare them (with their kinds).
SDK_SETTINGS = {"stream_maps", "stream_map_config", "faker_config", "flattening_enabled",
                "flattening_max_depth", "flattening_max_key_length", "flattening_separator",
                "batch_config"}
VERSION = "0.2.0"
#: What Meltano Hub entries have: the Hub's quality rule gives an SDK-based community plugin
#: "silver"; an unreleased 0.x is "beta"; "api" is the Hub's category of API sources.
QUALITY, MAINTENANCE_STATUS, KEYWORDS = "silver", "beta", ["api", "meltano_sdk"]


def tap_class(name: str) -> Any:
    module, _, cls = TAPS[name].tap_class.partition(":")
    return getattr(importlib.import_module(module), cls)


def meltano_kind(prop: dict) -> str:
    """The Meltano setting kind of a JSON Schema property. A number is a ``string`` to Meltano:
    Meltano 4.4 reads a ``decimal`` from the environment as a ``Decimal`` it cannot write out
    ("Object of type Decimal is not JSON serializable" after the run); the taps read numbers
    given as strings (tapkit.config.coerce_numbers)."""
    types = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
    first = next((t for t in types if t != "null"), "string")  # ["string", "integer"]: string
    if first == "string" and prop.get("format") in ("date-time", "date"):
        return "date_iso8601"
    return {"integer": "integer", "boolean": "boolean", "object": "object",
            "array": "array"}.get(first, "string")


def label_of(name: str) -> str:
    words = name.replace("_", " ").split()
    special = {"id": "ID", "url": "URL", "api": "API"}
    return " ".join(special.get(w, w.capitalize() if i == 0 else w) for i, w in enumerate(words))


def full_schema(cls: Any) -> dict[str, Any]:
    """The tap's settings as ``--about --format json`` reports them: its own and the SDK's."""
    schema = copy.deepcopy(cls.config_jsonschema)
    cls.append_builtin_config(schema)
    return schema


def settings_of(cls: Any) -> tuple[list[dict], list[str]]:
    """The Meltano settings of a tap (the SDK's built-ins included), and its required ones."""
    schema = full_schema(cls)
    settings = []
    for name, prop in schema["properties"].items():
        kind = meltano_kind(prop)
        description = prop.get("description", "")
        if "number" in (prop.get("type") or []) and kind == "string":
            description = f"{description} (A number.)".strip()
        setting: dict[str, Any] = {"name": name, "kind": kind, "label": label_of(name),
                                   "description": description}
        if "default" in prop:
            setting["value"] = prop["default"]
        if prop.get("secret"):
            setting["sensitive"] = True
        settings.append(setting)
    return settings, list(schema.get("required", []))


def declared_streams(name: str) -> list[Any]:
    """The tap's streams, in declaration order (an empty config is fine for reading them)."""
    logging.disable(logging.WARNING)
    try:
        tap = tap_class(name)(config={}, validate_config=False)
    finally:
        logging.disable(logging.NOTSET)
    return [tap.streams[cls.name] for cls in tap.stream_types]


def default_select(name: str) -> list[str]:
    """Meltano's ``select`` for the tap: every stream but the opt-in ones. Meltano selects
    ``*.*`` by default and would turn a stream with ``selected-by-default: false`` on."""
    return ["*.*", *(f"!{s.name}.*" for s in declared_streams(name) if not s.selected_by_default)]


def hub_definition(name: str) -> dict[str, Any]:
    """The tap's Meltano Hub definition (valid against the Hub's extractor schema)."""
    cls = tap_class(name)
    entry = TAPS[name]
    label, domain, summary = entry.label, entry.domain, entry.description
    settings, required = settings_of(cls)
    return {
        "name": name, "namespace": name.replace("-", "_"), "variant": VARIANT, "label": label,
        "description": summary, "logo_url": f"/assets/logos/extractors/{name[4:]}.png",
        "docs": f"{REPO}/blob/main/taps/{name}/README.md", "repo": REPO,
        "pip_url": f"{name}=={VERSION}", "executable": name,
        "capabilities": sorted(str(c.value) for c in cls.capabilities),
        "supported_python_versions": list(cls.get_supported_python_versions() or []),
        "keywords": KEYWORDS, "domain_url": domain, "maintenance_status": MAINTENANCE_STATUS,
        "quality": QUALITY, "log_parser": "singer-sdk", "settings": settings,
        "settings_group_validation": [required], "select": default_select(name),
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
    add_registry_taps(project, (TAPS[n] for n in names))
    extractors = project["plugins"]["extractors"]
    for entry in extractors:
        if entry["name"] in names:
            hub = hub_definition(entry["name"])
            for key in ("select", "namespace", "executable", "capabilities", "settings",
                        "settings_group_validation"):
                entry[key] = hub[key]
    out = io.StringIO()
    yaml.dump(project, out)
    files[ROOT / "meltano.yml"] = out.getvalue()
    files.update(readme(n) for n in names)
    return files


def _cell(value: Any) -> str:
    return "" if value is None else f"`{value}`"


def settings_table(name: str) -> str:
    """The README's settings table: every setting of the tap, as ``--about`` reports it."""
    schema = tap_class(name).config_jsonschema
    required = set(schema.get("required", []))
    rows = ["| setting | required | default | description |", "|---|---|---|---|"]
    for key, prop in schema["properties"].items():
        if key in SDK_SETTINGS:  # the README points at the SDK for these
            continue
        need = "yes" if key in required else ""
        if prop.get("secret"):
            need = f"{need}, secret" if need else "secret"
        description = prop.get("description", "").replace("|", "\\|")
        rows.append(f"| `{key}` | {need} | {_cell(prop.get('default'))} | {description} |")
    return "\n".join(rows)


def streams_table(name: str) -> str:
    """The README's streams table, from the stream declarations."""
    rows = ["| stream | path | records at | primary key | replication | parent |",
            "|---|---|---|---|---|---|"]
    for stream in declared_streams(name):
        query = "&".join(f"{k}={v}" for k, v in stream.params.items())
        path = f"{stream.path}?{query}" if query else stream.path
        keys = ", ".join(f"`{k}`" for k in stream.primary_keys or ())
        replication = (f"incremental on `{stream.replication_key}`" if stream.replication_key
                       else "full table")
        parent = stream.parent_stream_type.name if stream.parent_stream_type else ""
        rows.append(f"| `{stream.name}` | `{path}` | {_cell(stream.records_key) or 'the array'}"
                    f" | {keys} | {replication} | {parent} |")
    return "\n".join(rows)


def readme(name: str) -> tuple[Path, str]:
    """The tap's README with its generated tables brought up to date."""
    path = ROOT / "taps" / name / "README.md"
    text = path.read_text()
    for part, table in (("settings", settings_table(name)), ("streams", streams_table(name))):
        start, end = f"<!-- {part}: generated by plugins/generate.py -->", f"<!-- /{part} -->"
        if start in text and end in text:
            head, rest = text.split(start, 1)
            text = f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    return path, text


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
