"""A Babel extractor for the YAML definitions: titles, descriptions, help texts, choice
labels, role and permission names become msgids, so workflows and programmes translate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

TEXT_KEYS = {"title", "description", "help", "confirm", "certificate", "subject", "opening"}
LABEL_MAPS = {"roles", "permissions", "choices", "recommendations", "labels", "essentials"}
#: Mappings whose ``name`` is shown to readers (a programme's issuer and signatory).
NAMED = {"issuer", "signatory"}


def _walk(node: yaml.Node, parent_key: str | None = None) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            scalar = isinstance(value_node, yaml.ScalarNode) and bool(value_node.value)
            named = key == "name" and parent_key in NAMED
            if scalar and (key in TEXT_KEYS or parent_key in LABEL_MAPS or named):
                yield value_node.start_mark.line + 1, value_node.value
            else:
                yield from _walk(value_node, key)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if parent_key == "essentials" and isinstance(item, yaml.ScalarNode):
                yield item.start_mark.line + 1, item.value
            else:
                yield from _walk(item, parent_key)


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, Any, list]]:
    """Babel extraction method: yield (line, funcname, message, comments)."""
    node = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if node is None:
        return
    for line, text in _walk(node):
        yield line, "gettext", text, []
