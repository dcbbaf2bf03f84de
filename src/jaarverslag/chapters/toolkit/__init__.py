"""What every chapter module uses.

- `tables`: tables in the house style, and the kinds every chapter has (a count plus its top-N);
- `compare`: the comparison with the year before, and `for_edition`, which makes a table function
  edition-aware; `suppress`: small numbers hidden in public editions, also in a whole table;
- `charts`: charts as SVG with alt text, also the chart of the table shown; `drawn`: a chart drawn
  once for the same figures, kept in the build's cache;
- `sections`: sections and chapters that leave themselves out; `prose`: the year's texts;
- `wording`: Dutch phrases from numbers and lists.
"""
