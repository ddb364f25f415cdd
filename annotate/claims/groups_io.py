"""The claims file (`annotate claims link -o claims.jsonl`): one group per line, read back with located errors."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import RecordError
from ..io import atomic_open, jsonl_with_keys
from ..records import dumps, iter_json_lines, no_records
from .link import Group


# A file `claims link` wrote: its first line is a group.
is_claims_file = jsonl_with_keys("group_id", "members")


def write_groups(path: str | os.PathLike[str], groups: Iterable[Group]) -> int:
    count = 0
    with atomic_open(path) as handle:
        for group in groups:
            handle.write(dumps(group.to_dict()) + "\n")
            count += 1
    return count


def read_groups(path: str | os.PathLike[str]) -> list[Group]:
    groups = []
    for number, raw in iter_json_lines(path):
        if not isinstance(raw, dict) or "group_id" not in raw or "members" not in raw:
            fix = "pass the file that `annotate claims link` wrote"
            if isinstance(raw, dict) and "doc_id" in raw and "text" in raw:
                fix = "this is a file of documents; run `annotate claims link` on it first and pass its -o file"
            raise RecordError(str(path), number, None, "is not a claims group (no group_id and members)", fix)
        try:
            groups.append(Group.from_dict(raw))
        except (KeyError, TypeError, ValueError) as error:
            raise RecordError(str(path), number, None, f"malformed claims group ({error!r})",
                              "write it again with `annotate claims link`") from error
    if not groups:
        raise no_records(path, "run `annotate claims link` to write groups into it")
    return groups
