"""The demo's replacements for moto's RDS action handlers, by kind of resource.

`rdstui.demo.operations` installs them and drives their timeline.
"""
