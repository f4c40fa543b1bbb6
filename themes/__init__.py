"""rdstui's built-in themes: installed as the package data of `rdstui.themes` (see pyproject.toml)."""
