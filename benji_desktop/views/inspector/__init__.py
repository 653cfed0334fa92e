"""The Inspector: the window onto the embedded receiver's captures."""

from benji_desktop.views.inspector.inspector_tab import InspectorTab

__all__ = ["InspectorTab"]
