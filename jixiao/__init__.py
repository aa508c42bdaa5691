"""jixiao (绩效): budget performance operation monitoring workbench.

Stages, one module each, data flowing one way:
``workbook`` (read cells) -> ``values`` (normalise cell values) -> ``layout``
(find the form by its header texts) -> ``ingest`` (batch, tidy tables) ->
later stages (checks, metrics, briefs).
"""

__version__ = "0.1.0"
