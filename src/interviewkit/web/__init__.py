"""The browser UI: server-rendered Jinja2 pages and the bundle built from ``web/``."""
