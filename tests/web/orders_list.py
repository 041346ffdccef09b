"""Reading the orders page's HTML: the orders listed and the tabs' counts."""

import re


def numbers(response) -> list[str]:
    """The order numbers listed, in page order."""
    return re.findall(r'<tr data-order="(\d+)">', response.content.decode())


def tab_count(response, tab: str) -> int:
    match = re.search(
        rf'data-tab="{tab}">[^<]*<span class="count">(\d+)</span>', response.content.decode()
    )
    return int(match.group(1))
