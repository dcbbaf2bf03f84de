"""Tot slot: where to find Wijkkracht online."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from ..data import read as data
from ..edition import Edition
from ..markup import md_link
from ..paths import year_dir


def websites(ed: Edition) -> pd.DataFrame:
    """The organisation's website and those of the edition's gemeenten, in file order."""
    # Not ed.load: that would drop the site of the whole organisation (no gemeente)
    # from an edition for one gemeente.
    frame = data.load(ed.year, "websites", ed.data_dir)
    if ed.gemeente:
        frame = frame[frame["gemeente"].isna() | (frame["gemeente"] == ed.gemeente)]
    return frame.reset_index(drop=True)


def websites_lijst(ed: Edition) -> Markdown:
    """The websites as a list of links: a bare domain links to http://domain, as published.
    A website that is no web address (`markup.web_href`) is refused, naming the file."""
    sites = websites(ed)["website"]
    file = data.find_file(year_dir(ed.year, ed.data_dir), "websites")
    assert file is not None  # websites() has just read it
    where = data.display_path(file)
    return Markdown("\n".join(f"- {md_link(site, where=where)}" for site in sites))
