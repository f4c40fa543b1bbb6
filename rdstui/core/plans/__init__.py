"""The planners behind `rdstui.core.actions`, one module per action.

Import from `rdstui.core.actions`: it re-exports everything callers use.
"""
