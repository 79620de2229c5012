"""Speed and build-time measurements of mlnotes, printed as tables (``make bench``).

- :mod:`benchmarks.kernels`: mlnotes' functions against torch's, in one process;
- :mod:`benchmarks.build`: cold, no-op and one-page rebuilds of the site, and ``make test``;
- :mod:`benchmarks.report`: the tables, as Markdown, for the terminal and the book;
- :mod:`benchmarks.run`: runs both, writes ``benchmarks/results.json``, prints the tables.
"""
