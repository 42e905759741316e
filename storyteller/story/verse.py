"""How our stories are laid out: lines of verse, stanzas separated by blank lines."""


def stanzas(text: str) -> list[list[str]]:
    """The verse as stanzas of stripped, non-empty lines; the narrators pause and the page spaces by them."""
    groups: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]
