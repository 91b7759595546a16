"""YAML parsing that remembers where every value came from.

PyYAML's composed node tree carries a line for every node; pydantic reports an
error as a path of keys and indexes. `YamlFile.line_of` joins the two, so each
validation error points at the line an author must edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from course.problems import Problem

Loc = tuple[int | str, ...]

# libyaml's parser is about twenty times faster than the pure-Python one, and it
# reports the same marks; fall back when PyYAML was built without it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlFile:
    """A parsed YAML document with its node tree, or the problems that stopped it."""

    path: str
    data: Any = None
    root: yaml.Node | None = None
    problems: list[Problem] = field(default_factory=list)
    line_offset: int = 0  # for YAML front matter inside a Markdown file

    @classmethod
    def parse(cls, path: str, text: str, line_offset: int = 0) -> YamlFile:
        """Parse `text`; syntax errors and duplicate keys become problems."""
        result = cls(path=path, line_offset=line_offset)
        loader = _Loader(text)
        try:
            # One parse gives both the node tree (for lines) and the data.
            result.root = loader.get_single_node()
            result.data = loader.construct_document(result.root) if result.root is not None else None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = (mark.line + 1 if mark else 1) + line_offset
            reason = error.problem or str(error)
            result.problems.append(Problem(path, line, "", f"invalid YAML: {reason}"))
            result.root = None
            return result
        except yaml.YAMLError as error:
            result.problems.append(Problem(path, 1 + line_offset, "", f"invalid YAML: {error}"))
            return result
        finally:
            loader.dispose()
        if result.root is not None:
            result._find_duplicate_keys(result.root, ())
        return result

    def _find_duplicate_keys(self, node: yaml.Node, loc: Loc) -> None:
        # yaml.safe_load keeps the last of two equal keys silently; an author
        # almost never means that, so it is reported.
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.problems.append(
                        Problem(self.path, self._line(key_node), format_loc(loc + (key,)), "duplicate key")
                    )
                seen.add(key)
                self._find_duplicate_keys(value_node, loc + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._find_duplicate_keys(item, loc + (index,))

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest node that `loc` reaches.

        Keys that are not in the document (a missing field, or the tag pydantic
        adds for a discriminated union) are skipped, so a missing field points at
        the mapping that lacks it.
        """
        node = self.root
        if node is None:
            return 1 + self.line_offset
        for part in loc:
            child = _child(node, part)
            if child is not None:
                node = child
        return self._line(node)


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if str(key_node.value) == str(part):
                return value_node  # type: ignore[no-any-return]  # libyaml's nodes are untyped
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            return node.value[part]  # type: ignore[no-any-return]  # libyaml's nodes are untyped
    return None


def format_loc(loc: Loc) -> str:
    """Render a pydantic location as `questions[3].options[0].text`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
